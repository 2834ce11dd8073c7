"""The bundle's README.md: a short dataset card saying how the subset was chosen and what
it scores beside the pool and random subsets of the same size."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from core.export.formats import format_spec


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4f}" if magnitude < 10 else f"{value:.2f}"


def _params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items()) or "defaults"


def _chosen_lines(m: dict[str, Any]) -> list[str]:
    src, emb, strat, sel = m["source"], m["embedding"], m["strategy"], m["selection"]
    sha = (src.get("sha256") or "unknown")[:16]
    lines = [f"- **Pool**: `{src.get('path')}` ({src.get('shape')} records in "
             f"{src.get('container')}, {_num(src.get('pool_rows'))} rows; "
             f"{_num(src.get('duplicates'))} exact duplicates; sha256 `{sha}…`)"]
    if emb:
        used = "" if emb.get("used_by_selection") else " (not used by this strategy)"
        lines.append(f"- **Embedding**: {emb.get('model')} on the {emb.get('field')} text, "
                     f"{emb.get('dim')} dimensions (matrix sha256 "
                     f"`{(emb.get('sha256') or '')[:16]}…`){used}")
    else:
        lines.append("- **Embedding**: none")
    q = m["quality"]
    scored = (f" (rank-normalised 0–1: picks mean {_num(q['selection_mean'])}, pool mean "
              f"{_num(q['pool_mean'])})" if q.get("selection_mean") is not None else "")
    lines += [f"- **Quality score**: `{q.get('spec')}`{scored}",
              f"- **Strategy**: `{strat.get('name')}` with {_params(strat.get('params') or {})}"
              f"; k = {sel['k']:,}, seed {strat.get('seed')}",
              f"- **Candidates**: `{strat['where']}`" if strat.get("where") else
              "- **Candidates**: every pool row"]
    if strat.get("restrict_ids") is not None:
        lines.append(f"- **Restricted to** {len(strat['restrict_ids']):,} rows chosen by id "
                     "(see the manifest)")
    if strat.get("exclude_ids"):
        lines.append(f"- **Excluded** {len(strat['exclude_ids']):,} rows by id (see the "
                     "manifest)")
    if strat.get("must_include"):
        lines.append(f"- **Picked first**: pool rows {strat['must_include']}")
    lines.append(f"- **Objective** after the last pick: {_num(sel.get('objective'))}")
    if sel.get("stopped_early"):
        lines.append(f"- **Stopped early**: {sel['stopped_early']}")
    return lines


def _metrics_lines(m: dict[str, Any]) -> list[str]:
    report = m.get("metrics")
    if not report:
        return [f"No metrics: {m.get('metrics_info', {}).get('source', 'not computed')}."]
    from core.metrics.measures import MEASURES

    lines = ["| measure | better | selection | pool | random (mean ± std) |",
             "| --- | --- | ---: | ---: | ---: |"]
    for key, entry in report.items():
        measure = MEASURES.get(key)
        label = measure.label if measure else key
        better = {"higher": "↑", "lower": "↓"}.get(measure.better if measure else "", "")
        rand = entry.get("random")
        rand_txt = f"{_num(rand['mean'])} ± {_num(rand['std'])}" if rand else "–"
        lines.append(f"| {label} | {better} | {_num(entry.get('selection'))} | "
                     f"{_num(entry.get('pool'))} | {rand_txt} |")
    info = m.get("metrics_info", {})
    lines += ["", f"Metrics: {info.get('source', '')}; quality measured with "
              f"`{info.get('quality', 'the stored options')}`."]
    return lines


def _use_lines(m: dict[str, Any], bundle_name: str) -> list[str]:
    exp = m["export"]
    fmt, data = exp["format"], exp["data_file"]
    lines = [f"- **LLaMA-Factory**: `dataset_dir: {bundle_name}` and "
             f"`dataset: {exp['dataset_name']}` (see `dataset_info.json`).",
             "- **Axolotl**: paste `axolotl_datasets.yaml` into your config."
             if not exp.get("axolotl_refused") else
             f"- **Axolotl**: {exp['axolotl_refused']}."]
    if fmt == "hf":
        lines.append(f"- **datasets**: `datasets.load_from_disk(\"{data}\")`.")
    else:
        loader = {"parquet": "parquet", "csv": "csv"}.get(fmt, "json")
        lines.append(f"- **datasets**: `datasets.load_dataset(\"{loader}\", "
                     f"data_files=\"{data}\", split=\"train\")`.")
    if exp.get("multi_turn_rows"):
        if fmt == "csv":
            lines.append("- Multi-turn rows keep earlier rounds in `history` as JSON text, "
                         "which LLaMA-Factory does not parse: use parquet or jsonl to train "
                         "on them.")
    return lines


def dataset_card(manifest: dict[str, Any], bundle_name: str) -> str:
    """Markdown text of the card (YAML front matter for the Hugging Face hub first)."""
    sel, exp, tool = manifest["selection"], manifest["export"], manifest["tool"]
    spec = format_spec(exp["format"])
    source_name = Path(str(manifest["source"].get("path") or "pool")).name
    commit = (tool.get("git") or {}).get("commit")
    made = f"QD Explorer {tool['version']}" + (f" (git {commit[:12]})" if commit else "")
    parts = ["---", f"pretty_name: {_quoted(sel['name'])}", "tags:",
             '- "instruction-tuning"', '- "qd-explorer"', "---", "",
             f"# {sel['name']}: {sel['k']:,} rows chosen from {source_name}", "",
             f"Made by {made} on {manifest['created']}. Rows are in rank order (the order "
             "the strategy picked them).", "", "## How it was chosen", "",
             *_chosen_lines(manifest), "", "## What it scores", "",
             "Beside the whole pool and random subsets of the same size drawn from the same "
             "candidates (↑ / ↓: which way is more diverse or better).", "",
             *_metrics_lines(manifest), "", "## Files", "",
             f"- `{exp['data_file']}`: {exp['format']} "
             f"({'a datasets save_to_disk folder' if spec.is_folder else 'the data'}; "
             f"fields {', '.join(exp['columns'])})",
             "- `selection.parquet`: id, pool row, rank, gain, objective, quality, cluster, "
             "map x / y of every pick",
             "- `manifest.json`: source, embedding, quality, strategy, seed, ids, metrics, "
             "timings", "- `dataset_info.json`: LLaMA-Factory entry",
             "- `axolotl_datasets.yaml`: Axolotl `datasets:` stanza", "", "## Use it", "",
             *_use_lines(manifest, bundle_name), "", "## Reproduce it", "", "```bash",
             f"python -m core reproduce {bundle_name}/manifest.json --workspace WORKSPACE",
             "```", "", "It re-runs the strategy from the manifest and checks that the ids "
             "match in rank order; it refuses when the source file or the embedding differs.",
             ""]
    return "\n".join(parts)


def _quoted(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)

"""Re-run a selection from its manifest and say whether the same ids come out.

Before running anything it checks the inputs the manifest names, and refuses (InputError,
one line saying which) when

- the source file differs: the workspace was loaded from a file whose sha256 is not the
  manifest's, or the file at the workspace's source path has changed since (it is hashed
  again when it is still there);
- the embedding differs: the selection used the embeddings (directly, through the kNN
  graph or k-means clusters) and the workspace's current matrix has another sha256, or
  the workspace has none;
- the quality score's inputs differ (``config["quality_inputs"]``: a learned model's
  judged rows, label type and embedding, an added column's values, a reward model).

A different pool key with the same source (loaded with other options) is only a warning:
the ids then usually differ and the report says why.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.export.paths import MANIFEST_MARKER, MANIFEST_NAME


@dataclass
class ReproduceReport:
    """match: the re-run's ids equal the manifest's, in rank order."""

    match: bool
    ids: list[str]
    expected_ids: list[str]
    first_difference: int | None
    overlap: int
    checks: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest at ``path`` (the manifest.json itself or its bundle folder)."""
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("manifest not found; expected a bundle's manifest.json or its folder",
                         file=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"manifest is not readable JSON ({type(exc).__name__})",
                         file=str(path)) from None
    if not isinstance(data, dict) or MANIFEST_MARKER not in data:
        raise InputError("is not a QD Explorer manifest (no qdx_manifest field)", file=str(path))
    for section in ("source", "selection"):
        if not isinstance(data.get(section), dict):
            raise InputError(f"manifest lacks its '{section}' section", file=str(path))
    if not isinstance(data["selection"].get("config"), dict) or \
            not isinstance(data["selection"].get("ids"), list):
        raise InputError("manifest lacks the selection's config or ids", file=str(path))
    return data


def _short(sha: str | None) -> str:
    return (sha or "none")[:12]


def check_source(ws, manifest: dict[str, Any]) -> tuple[str, list[str]]:
    """(what was checked, warnings); InputError when the source differs."""
    from core.pool import _source_fingerprint

    expected = manifest["source"].get("sha256")
    info = ws.pool_info
    recorded, path = info.get("source_sha256"), info.get("source")
    if expected is None or recorded is None:
        return "not verified (no sha256: a hub dataset)", ["the source has no sha256 to check"]
    if recorded != expected:
        raise InputError(f"source file differs: the workspace was loaded from a file with "
                         f"sha256 {_short(recorded)}…, the manifest's source has "
                         f"{_short(expected)}… ({manifest['source'].get('path')})",
                         field="source")
    if info.get("sources"):  # several files: hash each again
        from core.pool.sources import combined_sha256

        current = combined_sha256(info["sources"], rehash=True)
        if current is None:
            return "sha256 matches the workspace's record", ["a source file is missing; "
                                                             "checked the hashes recorded at load"]
        if current != expected:
            raise InputError("a source file changed since it was loaded: the files now hash to "
                             f"{_short(current)}…, the manifest expects {_short(expected)}…",
                             field="source")
        return "sha256 matches (files hashed again)", []
    if path and Path(path).exists():
        current = _source_fingerprint(path)[0]
        if current != expected:
            raise InputError(f"source file changed since it was loaded: {path} now has sha256 "
                             f"{_short(current)}…, the manifest expects {_short(expected)}…",
                             field="source")
        return "sha256 matches (file hashed again)", []
    return "sha256 matches the workspace's record", [f"source file not found at {path}; "
                                                     "checked the hash recorded at load"]


def check_embedding(ws, manifest: dict[str, Any]) -> str:
    """What was checked; InputError when the selection used an embedding that differs."""
    expected = manifest.get("embedding")
    if not expected:
        return "none in the manifest"
    if not expected.get("used_by_selection", True):
        return "not used by this strategy"
    want = (f"{expected.get('model')} on {expected.get('field')} "
            f"(matrix sha256 {_short(expected.get('sha256'))}…)")
    current = ws.embedding_info()
    if current is None:
        raise InputError(f"embedding differs: the workspace has none; the manifest expects "
                         f"{want}", field="embedding")
    if current.get("sha256") != expected.get("sha256"):
        raise InputError(f"embedding differs: the workspace has {current.get('model')} on "
                         f"{current.get('field')} (matrix sha256 "
                         f"{_short(current.get('sha256'))}…), the manifest expects {want}",
                         field="embedding")
    return "matrix sha256 matches"


def check_quality_inputs(ws, manifest: dict[str, Any]) -> str:
    """What was checked; InputError when the quality score's recorded inputs (a learned
    model's judged rows, an imported column's values, a reward model) differ from the
    workspace's now."""
    from core.quality.compute import quality_inputs

    config = manifest["selection"]["config"]
    expected = config.get("quality_inputs")
    if not expected:
        return "none recorded (the score reads the pool only)"
    current = quality_inputs(ws, config.get("quality"))
    for spec, want in expected.items():
        have = current.get(spec)
        if have != want:
            diff = sorted(k for k in set(want) | set(have or {})
                          if (have or {}).get(k) != want.get(k))
            raise InputError(f"quality inputs differ for {spec}: {', '.join(diff)} changed "
                             "since the selection was made (labels or imported scores edited?)",
                             field="quality")
    return f"match ({', '.join(sorted(expected))})"


def reproduce_manifest(manifest_path: str | Path, ws, progress=None) -> ReproduceReport:
    """Check the inputs, re-run the selection from the manifest's config on ``ws`` and
    compare the ids in rank order (``core.select.run.rerun_selection``)."""
    from core.select.run import rerun_selection

    started = time.perf_counter()
    manifest = read_manifest(manifest_path)
    source_check, warnings = check_source(ws, manifest)
    checks = {"source": source_check, "embedding": check_embedding(ws, manifest),
              "quality": check_quality_inputs(ws, manifest)}
    if manifest["source"].get("pool_key") not in (None, ws.pool_key):
        warnings.append("the workspace's pool differs from the manifest's (same file loaded "
                        "with other options?): ids may not match")
    result = rerun_selection(ws, manifest["selection"]["config"], progress=progress)
    ids = ws.pool_frame(["id"])["id"].astype(str).to_numpy()[result.indices].tolist()
    expected = [str(i) for i in manifest["selection"]["ids"]]
    first = next((r for r, (a, b) in enumerate(zip(ids, expected, strict=False)) if a != b),
                 None)
    if first is None and len(ids) != len(expected):
        first = min(len(ids), len(expected))
    return ReproduceReport(match=ids == expected, ids=ids, expected_ids=expected,
                           first_difference=first, overlap=len(set(ids) & set(expected)),
                           checks=checks, warnings=warnings,
                           seconds=round(time.perf_counter() - started, 3))

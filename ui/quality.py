"""What the pages say about quality: the score list (learned and reward scores included),
which score is in use and how well it agrees with a judge column, and the labels a person
gives rows. The logic lives in core.quality; this holds the Streamlit caching and words."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.errors import InputError
from core.quality.labels import BAD, GOOD, LABEL_COLUMN, label_counts, row_labels, set_labels
from core.quality.learned import MIN_JUDGED
from core.workspace import Workspace
from core.workspace.columns import added_columns_file

HONEST_DEFAULT = ("With no judge, no reward model and no score column, quality here means "
                  "\"not broken\" only: the heuristic flags empty, truncated, repetitive, "
                  "refusing or copied answers and ties every clean row, so raising alpha "
                  "(or lambda) mostly trades coverage away for nothing. Label rows good or bad "
                  "(Map page), import a judge's scores (`python -m core scores import`) or "
                  "score with a reward model to give it meaning.")


def _version(ws: Workspace) -> str:
    return f"{ws.pool_key}:{added_columns_file(ws)}:{(ws.embedding_info() or {}).get('key')}"


def numeric_columns(ws: Workspace) -> list[str]:
    from core.quality.agreement import numeric_columns as numeric

    return numeric(ws.pool_frame(), set())


def judge_column(ws: Workspace) -> str | None:
    """The column to check scores against: ``label`` once it has good and bad rows, else
    the first added (imported) column with two or more distinct values."""
    added = ws.added_columns()
    candidates = ([LABEL_COLUMN] if LABEL_COLUMN in added else []) + \
        [c for c in added if c != LABEL_COLUMN]
    frame = ws.pool_frame()
    for name in candidates:
        values = frame[name].to_numpy(np.float64, na_value=np.nan)
        if np.unique(values[np.isfinite(values)]).size >= 2:
            return name
    return None


@st.cache_data(show_spinner="Fitting the learned quality score…", max_entries=32)
def _learned_summary(path: str, version: str, column: str) -> dict | None:
    from core.quality.learned_workspace import workspace_learned

    try:
        learned = workspace_learned(Workspace.open(path), column)
    except InputError as exc:
        return {"refused": exc.problem}
    return {"summary": learned.summary(), "metric": learned.cv.metric,
            "mean": learned.cv.mean, "std": learned.cv.std}


def learned_summary(ws: Workspace, column: str) -> dict:
    return _learned_summary(str(ws.root), _version(ws), column)


def quality_options(ws: Workspace) -> list[str]:
    """heuristic, length, each numeric column, learned:COLUMN for every added column with
    at least MIN_JUDGED judged rows that fits, each cached reward model, none."""
    from core.quality.reward_job import list_cached_rewards

    numeric = numeric_columns(ws)
    specs = ["heuristic", "length", *(f"column:{c}" for c in numeric)]
    frame = ws.pool_frame()
    for name in ws.added_columns():
        if np.isfinite(frame[name].to_numpy(np.float64, na_value=np.nan)).sum() >= MIN_JUDGED \
                and "refused" not in learned_summary(ws, name):
            specs.append(f"learned:{name}")
    specs += [f"reward:{m['model']}" for m in list_cached_rewards(ws)]
    return [*specs, "none"]


def option_label(ws: Workspace, spec: str) -> str:
    """The list entry: a learned score shows its cross-validated figure."""
    if spec.startswith("learned:"):
        info = learned_summary(ws, spec.split(":", 1)[1])
        if "mean" in info:
            return f"{spec} (CV {info['metric'].upper()} {info['mean']:.2f})"
    return spec


@st.cache_data(show_spinner="Checking the score against the judge…", max_entries=64)
def _agreement(path: str, version: str, spec: str, judge: str) -> dict:
    from core.quality import workspace_quality
    from core.quality.agreement import judge_verdicts, score_agreement

    ws = Workspace.open(path)
    verdict = judge_verdicts(ws.pool_frame(), judge)
    binary = np.unique(verdict[np.isfinite(verdict)]).size == 2
    if spec == f"learned:{judge}":  # never scored on its own training rows
        from core.quality.learned_workspace import workspace_learned

        learned = workspace_learned(ws, judge)
        score = np.full(ws.n_rows, np.nan)
        score[learned.labels.rows] = learned.cv.oof
    else:
        score = workspace_quality(ws, spec)
    return {**score_agreement(score, verdict, binary), "labelled":
            int(np.isfinite(verdict).sum())}


def quality_statement(ws: Workspace, spec: str) -> str:
    """One paragraph for the Select page: the score in use and its agreement with the judge
    column (when there is one), or the honest default."""
    judge = judge_column(ws)
    words = f"Quality in use: **{spec}**."
    if spec == "none":
        return words + " Selection ignores quality."
    if judge is not None:
        try:
            agree = _agreement(str(ws.root), _version(ws), spec, judge)
        except InputError as exc:
            return f"{words} Could not check it against `{judge}`: {exc.problem}"
        auc = "" if agree["auc"] is None else f"AUC {agree['auc']:.2f}, "
        rho = "n/a" if agree["spearman"] is None else f"{agree['spearman']:.2f}"
        cv = " (cross-validated)" if spec == f"learned:{judge}" else ""
        words += (f" Agreement with the judge column `{judge}` on its "
                  f"{agree['labelled']:,} labelled rows{cv}: {auc}Spearman {rho}.")
        if agree.get("flag"):
            words += " It ranks the judge's picks lower: choose another score."
        return words
    has_meaning = bool(numeric_columns(ws)) or spec.startswith(("reward:", "learned:"))
    if not has_meaning:
        return f"{words} {HONEST_DEFAULT}"
    return words + " No judge column to check it against: label rows good or bad on the Map " \
        "page or import a judge's scores."


def label_controls(ws: Workspace, row: int, key: str) -> None:
    """Good / Bad / Clear buttons for one row, its current label and the count so far."""
    labels = row_labels(ws)
    current = labels[row]
    now = "not labelled" if np.isnan(current) else ("good" if current == GOOD else "bad")
    c1, c2, c3, c4 = st.columns([1, 1, 1, 3])
    choice = None
    if c1.button("Good", key=f"{key}_good", icon=":material/thumb_up:"):
        choice = GOOD
    if c2.button("Bad", key=f"{key}_bad", icon=":material/thumb_down:"):
        choice = BAD
    if c3.button("Clear", key=f"{key}_clear", disabled=np.isnan(current)):
        choice = "clear"
    if choice is not None:
        set_labels(ws, [row], None if choice == "clear" else choice)
        st.rerun()  # the whole page: the quality list and its figures follow the labels
    good, bad = label_counts(labels)
    more = max(0, MIN_JUDGED - good - bad)
    c4.caption(f"Row {row}: {now}. Labelled so far: {good} good, {bad} bad"
               + (f"; {more} more and `learned:{LABEL_COLUMN}` joins the quality list."
                  if more else f"; `learned:{LABEL_COLUMN}` is in the quality list."))


def label_picks_panel(ws: Workspace, indices: np.ndarray, key: str = "pick_label") -> None:
    """Label the picks of a run: choose one (first 500, in pick order), read it, mark it."""
    from core.text import truncate_for_display

    with st.expander("Label these picks good or bad (your judge for learned:label)"):
        frame = ws.pool_frame(["instruction", "response"])
        rows = [int(i) for i in np.asarray(indices)[:500]]
        labels = row_labels(ws)

        def describe(row: int) -> str:
            mark = "" if np.isnan(labels[row]) else (" [good]" if labels[row] == GOOD
                                                     else " [bad]")
            return f"row {row}{mark}: {truncate_for_display(frame['instruction'].iat[row], 80)}"

        row = st.selectbox("Pick", rows, key=f"{key}_row", format_func=describe)
        if row is None:
            return
        st.text(truncate_for_display(frame["response"].iat[int(row)], 2_000))
        label_controls(ws, int(row), key)


@st.cache_data(show_spinner="Checking every quality score against the judge…", max_entries=8)
def _agreement_table(path: str, version: str, judge: str) -> dict:
    from core.quality.agreement import agreement_report

    return agreement_report(Workspace.open(path), judge)


def agreement_table(ws: Workspace, judge: str) -> tuple[list[dict], str]:
    """(rows of the agreement report, the learned score's line) for the Pool page."""
    report = _agreement_table(str(ws.root), _version(ws), judge)
    rows = [{"score": spec, "AUC": row["auc"], "Spearman": row["spearman"], "rows": row["n"],
             "note": row.get("flag", "")} for spec, row in report["scores"].items()]
    note = report["learned"].get("summary") or f"learned:{judge}: {report['learned']['refused']}"
    return rows, note

"""The rerun phase log the latency benchmark reads."""

import json

from ui.timing import PhaseLog


def test_phase_log_appends_one_line_per_rerun_when_asked(tmp_path, monkeypatch):
    path = tmp_path / "timing.jsonl"
    monkeypatch.setenv("QDX_TIMING_LOG", str(path))
    for label in ("qdit (alpha 0.5)", "qdit (alpha 0.55)"):
        log = PhaseLog(label)
        log.mark("run")
        log.mark("map_sent")
        log.write()
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["label"] for r in rows] == ["qdit (alpha 0.5)", "qdit (alpha 0.55)"]
    assert all(0 <= r["run"] <= r["map_sent"] and r["wall"] > 0 for r in rows)


def test_phase_log_writes_nothing_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("QDX_TIMING_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    log = PhaseLog("x")
    log.mark("run")
    log.write()
    assert log.marks == {} and list(tmp_path.iterdir()) == []

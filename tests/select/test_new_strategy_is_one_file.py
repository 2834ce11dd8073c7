"""Adding a strategy is one new module: a throwaway strategy written to a folder outside the
source tree and put on core.select's path appears in the CLI (help, flags, select), in
export + reproduce and (tests/app/test_new_strategy_page.py) on the Select page, with no
other file edited."""

from __future__ import annotations

import json
import textwrap

import pytest

import core.select
from core.select.registry import STRATEGIES

THROWAWAY = textwrap.dedent('''
    """``stride``: every step-th candidate from an offset (a strategy for tests only).

    gains: 1 per pick. objective_trace: the number of picks so far.
    """

    from core.select.base import Picks, Strategy
    from core.select.params import Param


    class StrideStrategy(Strategy):
        """Every step-th free candidate, starting at offset."""

        name = "stride"
        needs = frozenset()
        summary = "Every step-th candidate (tests only)."
        params = (
            Param("share", "float", 0.5, "where in the candidates to start, as a share",
                  low=0.0, high=1.0, step=0.1, main=True, label="start share"),
            Param("step", "int", 3, "distance between picks", low=1),
        )

        def _select(self, ctx, plan, seed, report):
            free = plan.candidates.tolist()
            start = int(self.share * (len(free) - 1))
            order = free[start::self.step] + free[:start][::-1]
            rest = [r for r in free if r not in set(order)]
            rows = [*plan.must.tolist(), *(order + rest)[:plan.n_free]]
            return Picks(rows, [1.0] * len(rows), list(range(1, len(rows) + 1)))
''')


def install_stride(tmp_path, monkeypatch) -> None:
    """Write the throwaway module outside the source tree and put it on core.select's path
    (undone by the monkeypatch; call STRATEGIES.refresh() after)."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "stride.py").write_text(THROWAWAY, encoding="utf-8")
    monkeypatch.setattr(core.select, "__path__", [*core.select.__path__, str(folder)])
    STRATEGIES.refresh()


@pytest.fixture
def stride_strategy(tmp_path, monkeypatch):
    install_stride(tmp_path, monkeypatch)
    yield "stride"
    monkeypatch.undo()
    STRATEGIES.refresh()


def test_the_cli_lists_runs_and_reproduces_it(stride_strategy, tiny_workspace, run_cli,
                                              tmp_path):
    ws = tiny_workspace
    code, out, _ = run_cli("select", "--help")
    assert code == 0 and "stride: Every step-th candidate (tests only)." in out
    assert "share (a number in [0, 1]; default 0.5)" in out
    code, out, err = run_cli("select", "--workspace", ws.root, "--strategy", "stride", "--k",
                             "4", "--share", "0.2", "--step", "2", "--json")
    assert code == 0, err
    picked = json.loads(out)
    assert picked["params"] == {"share": 0.2, "step": 2}
    code, _, err = run_cli("select", "--workspace", ws.root, "--strategy", "stride", "--k",
                           "4", "--step", "0", "--name", "bad")
    assert code == 2 and "step must be a whole number at least 1, got 0" in err
    code, out, err = run_cli("export", "--workspace", ws.root, "--selection", "stride-k4",
                             "--format", "alpaca", "--out", tmp_path / "bundle")
    assert code == 0, err
    code, out, err = run_cli("reproduce", tmp_path / "bundle", "--workspace", ws.root,
                             "--json")
    assert code == 0 and json.loads(out)["match"] is True, err

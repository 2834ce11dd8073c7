"""core.progress: the one progress callback type and how a False from it cancels."""

from __future__ import annotations

import pytest

from core.errors import CancelledError
from core.progress import check_progress


def test_false_cancels_with_what_and_where():
    calls = []
    check_progress(None, 1, 2, "map")
    check_progress(lambda d, t: calls.append((d, t)), 1, 2, "map")
    check_progress(lambda d, t: True, 2, 2, "map")
    assert calls == [(1, 2)]
    with pytest.raises(CancelledError, match=r"^map cancelled$"):
        check_progress(lambda d, t: False, 0, 1, "map")
    with pytest.raises(CancelledError, match=r"^embedding cancelled after 3 of 8 shards$"):
        check_progress(lambda d, t: False, 3, 8, "embedding", "shards")


def test_against_total_reports_a_stage_as_done_of_the_whole_run():
    from core.progress import against_total

    seen = []
    stage = against_total(lambda done, total: seen.append((done, total)), 40)
    stage(12, 20)  # a stage whose own count includes the picks pinned before it
    stage(45, 45)  # never past the whole run
    assert seen == [(12, 40), (40, 40)]
    assert against_total(None, 40) is None
    assert against_total(lambda d, t: False, 40)(1, 2) is False  # a cancel passes through

"""Pool -> Map (lasso a region) -> ... in a real browser, with screenshots as artifacts."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
TIMEOUT = 180_000


def _lasso(page) -> None:
    """Drag a lasso polygon over the left part of the map's plotting area."""
    area = page.locator(".js-plotly-plot .nsewdrag").first
    area.wait_for(timeout=TIMEOUT)
    box = area.bounding_box()
    cx, cy = box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2
    w, h = box["width"] * 0.28, box["height"] * 0.48
    path = [(cx - w, cy - h), (cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h),
            (cx - w, cy - h + 2)]
    page.mouse.move(*path[0])
    page.mouse.down()
    for x, y in path[1:]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def _card(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_pool_map_select_export(app_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page.goto(app_server["url"], timeout=TIMEOUT)
    page.get_by_text("Exact duplicates").first.wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "1-pool.png"), full_page=True)

    page.get_by_role("link", name="Map").click()
    page.get_by_text("Colour by").wait_for(timeout=TIMEOUT)
    _lasso(page)
    page.get_by_text("Inspector:", exact=False).wait_for(timeout=TIMEOUT)
    page.screenshot(path=str(ARTIFACTS / "2-map-lasso.png"), full_page=True)
    page.get_by_role("button", name="Restrict selection to these").click()
    page.get_by_text("selection restricted to", exact=False).wait_for(timeout=TIMEOUT)

    # Select: quality from the score column, then move alpha to 1 and watch the cards change
    page.get_by_role("link", name="Select").click()
    page.get_by_text("Facility-location coverage").first.wait_for(timeout=TIMEOUT)
    page.get_by_text("restricted", exact=False).first.wait_for(timeout=TIMEOUT)
    page.locator(".st-key-p_quality input").click()
    page.get_by_role("option", name="column:score").click()
    page.wait_for_timeout(1500)
    page.get_by_text("picks in", exact=False).first.wait_for(timeout=TIMEOUT)
    k_box = page.get_by_role("spinbutton", name="Budget k")
    k_box.fill("20")
    k_box.press("Enter")
    page.get_by_text("20 picks in", exact=False).first.wait_for(timeout=TIMEOUT)
    before = _card(page, "Quality (mean)")
    alpha = page.get_by_role("slider", name="alpha (quality weight)")
    alpha.focus()
    page.keyboard.press("End")
    deadline = page.evaluate("Date.now()") + 120_000
    while _card(page, "Quality (mean)") == before:
        assert page.evaluate("Date.now()") < deadline, "metric cards did not update"
        page.wait_for_timeout(200)
    after = _card(page, "Quality (mean)")
    assert float(after) > float(before)
    page.screenshot(path=str(ARTIFACTS / "3-select.png"), full_page=True)
    page.get_by_label("Name").fill("e2e-pick")
    page.get_by_role("button", name="Save", exact=True).click()
    # the success line itself (a bare "Saved" also matches, case-blind, the table's caption)
    page.get_by_text("Saved “e2e-pick”", exact=False).first.wait_for(timeout=TIMEOUT)

    # Export: download the Alpaca file and check it loads with the same row count
    page.get_by_role("link", name="Export").click()
    page.get_by_text("First rows as they will be written").wait_for(timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Download e2e-pick", exact=False).click()
    page.screenshot(path=str(ARTIFACTS / "4-export.png"), full_page=True)
    target = app_server["tmp"] / info.value.suggested_filename
    info.value.save_as(str(target))
    from core.pool import load_pool

    loaded = load_pool(target)
    assert loaded.info.rows == 20
    assert loaded.info.shape == "alpaca"
    page.close()

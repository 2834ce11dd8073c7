"""Pool -> Map (lasso a region) -> ... in a real browser, with screenshots as artifacts."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
TIMEOUT = 180_000


def _lasso(page) -> None:
    """Drag a lasso polygon over the middle of the map's plotting area."""
    area = page.locator(".js-plotly-plot .nsewdrag").first
    area.wait_for(timeout=TIMEOUT)
    box = area.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    w, h = box["width"] * 0.45, box["height"] * 0.45
    path = [(cx - w, cy - h), (cx + w, cy - h), (cx + w, cy + h), (cx - w, cy + h),
            (cx - w, cy - h + 2)]
    page.mouse.move(*path[0])
    page.mouse.down()
    for x, y in path[1:]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def test_pool_to_map_lasso(app_server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
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
    page.close()

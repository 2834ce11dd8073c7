"""A fresh server whose first request is a page's own URL (a shared link, a bookmark) still
draws that page inside app.py's navigation (ui.shell.through_app)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
TIMEOUT = 180_000


def test_a_deep_link_on_a_fresh_server_goes_through_app_py(app_server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{app_server['url']}/map", timeout=TIMEOUT)  # this server's first request
    # app.py's sidebar caption and its page titles, not Streamlit's file-name page list
    page.get_by_text("No pool open yet").wait_for(timeout=TIMEOUT)
    page.get_by_text("Open a pool on the Pool page first", exact=False).first.wait_for(
        timeout=TIMEOUT)
    nav = page.locator('[data-testid="stSidebarNav"]')
    links = [t.strip() for t in nav.get_by_role("link").all_inner_texts()]
    page.screenshot(path=str(ARTIFACTS / "deep-link-map.png"), full_page=True)
    assert any(t.endswith("Map") for t in links) and not any(t == "app" for t in links), links
    assert "/map" in page.url
    page.close()

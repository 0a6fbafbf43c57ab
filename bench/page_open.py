"""Page-open time of the overview in headless Chromium: from navigation to every panel drawn.

Used by ``bench/panel_latency.py --browser N``. Opens the default view N times in one browser
context (scripts cached after the first open, as for a returning user) and prints the median
and the slowest, plus the first (cold) open on its own.
"""

from __future__ import annotations

import statistics
import time

from playwright.sync_api import sync_playwright

ALL_DRAWN = """() => {
  const graphs = [...document.querySelectorAll('.panel-graph')];
  const bodies = document.querySelectorAll('[id*="overview-panel-body"]');
  const filled = [...bodies].every(b => b.children.length > 0);
  return filled && graphs.length > 0 && graphs.every(g => g.querySelector('.main-svg')
      && g.querySelector('.xtick text, .ytick text, .geolayer .geo'));
}"""


def measure_page_open(base_url: str, credentials: tuple[str, str] | None, times: int) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        if credentials:
            page.goto(f"{base_url}/login")
            page.fill("input[name=username]", credentials[0])
            page.fill("input[name=password]", credentials[1])
            page.locator("form [type=submit]").first.click()
            page.wait_for_load_state()
        seconds = []
        for _ in range(times):
            began = time.perf_counter()
            page.goto(f"{base_url}/")
            page.wait_for_function(ALL_DRAWN, timeout=60_000, polling=50)
            seconds.append(time.perf_counter() - began)
        browser.close()
    rest = seconds[1:] or seconds
    print(
        f"\nPage open to all panels drawn (Chromium, 1366x768, {times} opens): first "
        f"{seconds[0]:.2f} s; then median {statistics.median(rest):.2f} s, "
        f"slowest {max(rest):.2f} s"
    )

"""Dashboard latency in a real browser (Debian chromium driven by Playwright).

Starts `streamlit run app.py` on the benchmark workspace (artifacts cached), then measures
  - the first page (Pool, the server cold) and, after ``--first-think`` seconds on it, the
    first visit to Select: a page switch with every cache of the Select page cold;
  - page switch: click a page link until its main content is drawn (Map, Select, Pool);
  - slider release: move the alpha slider by one step (keyboard, which commits like a
    release), for several k <= 2,000 and quality scores, until (a) the caption under the
    six metric cards names the new run, (b) the highlight map's caption does (the page draws
    the run line, the cards, then the map: the issue's "updated highlight and metric
    cards") and (c) the caption under the table does (the curve and the table drawn: the
    whole rerun). Each k and quality sweeps alpha from 0 to 1 in its 20 steps, ``--sweeps``
    times, since the cost of a run depends on alpha.

    python benchmarks/ui_latency.py [--workspace bench-out/pool50k] [--repeats 3]
        [--sweeps 1] [--ks 500,1000,2000] [--quality heuristic,length] [--no-switches]
        [--strategy qdit|dpp] [--think 0.5] [--no-prefetch] [--first-think 2]

--no-prefetch starts the app with QDX_PREFETCH=0: no slider value is computed ahead, so
every dpp release is a cold run (a user jumping across the slider).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import ROOT, cpu_note

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"streamlit did not become healthy at {url}")


def card_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


# In-page checks, polled by the browser on animation frames: far lighter than a Playwright
# round trip per poll, which on 2 cores slowed the very rerun being timed.
CAPTION_JS = """() => {
  for (const e of document.querySelectorAll('[data-testid="stProgress"]')) {
    const t = e.textContent || '';
    if (t.includes(' picks in ')) return t;
  }
  return '';
}"""
CHANGED_JS = f"(before) => {{ const t = ({CAPTION_JS})(); return t !== '' && t !== before; }}"
# The first cards on screen: a staged run's partial cards ("N of K picks so far", drawn
# while the run goes on: ui.run_memo.first_stage), or else the run's own line.
FIRST_JS = f"""(before) => {{
  for (const e of document.querySelectorAll('[data-testid="stCaptionContainer"]')) {{
    if ((e.textContent || '').includes(' picks so far')) return true;
  }}
  return ({CHANGED_JS})(before);
}}"""
# The highlight map names the run: in its chart title (interactive) or in the caption of
# its picture, which must also be loaded and decoded.
TITLE_JS = """(label) => {
  const root = document.querySelector('.st-key-select_map');
  if (!root) return false;
  const t = root.querySelector('.gtitle');
  if (t) return (t.textContent || '').startsWith(label + ':');
  const img = root.querySelector('img');
  return !!img && img.complete && img.naturalWidth > 0
    && (root.textContent || '').trim().startsWith(label + ':');
}"""
NOTE_JS = """(label) => {
  for (const e of document.querySelectorAll('[data-testid="stCaptionContainer"]')) {
    if ((e.textContent || '').startsWith(label + ': deltas')) return true;
  }
  return false;
}"""
FOOTER_JS = """(label) => {
  for (const e of document.querySelectorAll('[data-testid="stCaptionContainer"]')) {
    if ((e.textContent || '').startsWith(label + ',')) return true;
  }
  return false;
}"""


# No script running: Streamlit shows its status widget ("Running...") while one is.
IDLE_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')"""


SETTLED_JS = f"""() => {{
  const label = ({CAPTION_JS})().split(':')[0];
  return label !== '' && ({FOOTER_JS})(label);
}}"""


def wait_drawn(page) -> None:
    """Until the latest run is drawn to the end (the caption under the table names the run
    on the run line). Streamlit's running indicator cannot tell: it never shows for a
    fragment rerun."""
    page.wait_for_function(SETTLED_JS, polling="raf", timeout=120_000)


def server_phases(log: Path, pressed: list[float]) -> str:
    """Medians of the page's own phase marks (ui/timing.py) for the reruns started after
    each key press, on the press's clock: what the server did, the rest is transport and
    drawing in the browser."""
    import json

    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    per_phase: dict[str, list[float]] = {}
    for t in pressed:
        after = [r for r in rows if r["wall"] >= t]
        if not after:
            continue
        first = min(after, key=lambda r: r["wall"])
        per_phase.setdefault("rerun start", []).append(first["wall"] - t)
        for name, value in first.items():
            if name not in ("label", "wall"):
                per_phase.setdefault(name, []).append(first["wall"] - t + value)
    return ", ".join(f"{name} {statistics.median(v):.2f}" for name, v in per_phase.items())


def main_sliders() -> dict[str, tuple[str, str]]:
    """strategy -> (slider label, parameter) for every strategy with a main slider, from
    the strategies' declarations (the page draws its widgets from the same ones)."""
    from core.select.registry import STRATEGIES

    return {name: (cls.main_param().title, cls.main_param().name)
            for name, cls in STRATEGIES.items() if cls.main_param() is not None}


def slider_releases(page, strategy: str, k: int, quality: str, sweeps: int, timing_log: Path,
                    think: float = 0.5) -> None:
    """Time every one-step move of the strategy's slider (qdit: alpha, dpp: lambda) from 0
    to 1 (20 releases) ``sweeps`` times at budget k: the cost of a run depends on the
    slider, so every value is in the figures. Between releases the user looks at the page
    for ``think`` seconds (dpp's neighbours are computed ahead meanwhile: ui/prefetch.py);
    releases answered by a run computed ahead are counted."""
    slider_name, knob = main_sliders()[strategy]
    box = page.get_by_role("spinbutton", name="Budget k")
    box.fill(str(k))
    box.press("Enter")
    page.wait_for_timeout(500)
    page.get_by_text(f"{k:,} picks", exact=False).first.wait_for(timeout=120_000)
    alpha = page.get_by_role("slider", name=slider_name)
    ran, drawn, cards, done, pressed, first = [], [], [], [], [], []
    unchanged = 0
    was_ahead: list[bool] = []
    for _ in range(sweeps):
        alpha.focus()
        page.keyboard.press("Home")
        page.wait_for_function(FOOTER_JS, arg=f"{strategy} ({knob} 0)", polling="raf",
                               timeout=600_000)
        for _ in range(20):
            page.wait_for_timeout(think * 1000)  # after the previous release's footer
            before = (page.evaluate(CAPTION_JS), card_value(page, "Facility-location coverage"))
            alpha.focus()
            t = time.perf_counter()
            pressed.append(time.time())
            page.keyboard.press("ArrowRight")
            page.wait_for_function(FIRST_JS, arg=before[0], polling="raf", timeout=120_000)
            first.append(time.perf_counter() - t)
            # Every alpha is a new run: its caption first, then the cards, then the map
            # whose title names it, then the curve, the table and the caption under it.
            page.wait_for_function(CHANGED_JS, arg=before[0], polling="raf", timeout=120_000)
            ran.append(time.perf_counter() - t)
            label = page.evaluate(CAPTION_JS).split(":")[0]
            page.wait_for_function(NOTE_JS, arg=label, polling="raf", timeout=120_000)
            cards.append(time.perf_counter() - t)
            page.wait_for_function(TITLE_JS, arg=label, polling="raf", timeout=120_000)
            drawn.append(time.perf_counter() - t)
            page.wait_for_function(FOOTER_JS, arg=label, polling="raf", timeout=120_000)
            done.append(time.perf_counter() - t)
            unchanged += card_value(page, "Facility-location coverage") == before[1]
            was_ahead.append(page.get_by_text("computed ahead while you looked").count() > 0)
    ahead = sum(was_ahead)
    print(f"{knob} slider release ({strategy}), quality {quality}, k={k:>5} ({knob} 0.05, "
          f"0.10, ... 1.00, n={len(drawn)}, {think:g}s between releases"
          f"{f', {ahead} computed ahead' if ahead else ''}): first cards (partial, or "
          f"the run's own) median {statistics.median(first):.2f}s (max {max(first):.2f}s); "
          f"run line median "
          f"{statistics.median(ran):.2f}s; six cards "
          f"{statistics.median(cards):.2f}s (max {max(cards):.2f}s); highlight map (all cards "
          f"are above it) {statistics.median(drawn):.2f}s (p90 "
          f"{statistics.quantiles(drawn, n=10)[-1]:.2f}s, max {max(drawn):.2f}s); everything "
          f"(curve, table) {statistics.median(done):.2f}s (max {max(done):.2f}s)"
          f"{f'; coverage card unchanged {unchanged}x' if unchanged else ''}", flush=True)
    for name, keep in (("cold", False), ("computed ahead", True)):
        picked = [i for i, a in enumerate(was_ahead) if a == keep]
        if picked and ahead:  # the split says something only when both kinds happened
            print(f"  {name} releases (n={len(picked)}): first cards median "
                  f"{statistics.median(first[i] for i in picked):.2f}s, final cards median "
                  f"{statistics.median(cards[i] for i in picked):.2f}s (max "
                  f"{max(cards[i] for i in picked):.2f}s)")
    print("  server side, median seconds after the key press: "
          + server_phases(timing_log, pressed), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workspace", default=str(ROOT / "bench-out" / "pool50k"))
    ap.add_argument("--repeats", type=int, default=3, help="visits per page switch")
    ap.add_argument("--sweeps", type=int, default=1,
                    help="sweeps of the slider from 0 to 1 (20 releases each)")
    ap.add_argument("--strategy", choices=sorted(main_sliders()), default="qdit",
                    help="qdit moves alpha, dpp moves lambda")
    ap.add_argument("--ks", default="500,1000,2000")
    ap.add_argument("--no-switches", action="store_true", help="slider measurements only")
    ap.add_argument("--think", type=float, default=0.5,
                    help="seconds between one release drawn and the next release")
    ap.add_argument("--first-think", type=float, default=2.0,
                    help="seconds on the first page (Pool) before the first Select visit")
    ap.add_argument("--no-prefetch", action="store_true",
                    help="QDX_PREFETCH=0: nothing computed ahead, every release runs cold")
    ap.add_argument("--quality", default="heuristic,length",
                    help="quality specs picked on the Select page, comma-separated (heuristic, "
                    "the page's default, ties most rows at one value; length has few ties)")
    args = ap.parse_args()
    ws = Path(args.workspace).resolve()
    if not (ws / "workspace.json").exists():
        sys.exit(f"no workspace at {ws}: run benchmarks/build_pool50k.py first")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    timing_log = Path(tempfile.mkstemp(prefix="qdx-timing-", suffix=".jsonl")[1])
    env = {**os.environ, "QDX_DATA_ROOTS": f"{ws.parent}{os.pathsep}{ROOT}",
           "QDX_TIMING_LOG": str(timing_log),
           **({"QDX_PREFETCH": "0"} if args.no_prefetch else {})}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.port", str(port), "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    from playwright.sync_api import sync_playwright

    print(f"# {cpu_note()}; workspace {ws}"
          f"{'; QDX_PREFETCH=0 (nothing computed ahead)' if args.no_prefetch else ''}")
    try:
        wait_healthy(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # The server's first page (imports, the workspace opened), then the first visit
            # to Select: a page switch with every cache of the Select page still cold (its
            # clusters, names and quality scores were built by `map`, not on the spot).
            t = time.perf_counter()
            page.goto(f"{url}/?ws={ws}", timeout=600_000)  # Pool, the default page
            page.get_by_text("Exact duplicates").first.wait_for(timeout=600_000)
            page.wait_for_function(IDLE_JS, polling=100, timeout=600_000)
            print(f"first page (Pool, server cold): {time.perf_counter() - t:.1f}s, then "
                  f"{args.first_think:g}s on it")
            page.wait_for_timeout(args.first_think * 1000)  # the user reads the Pool page
            t = time.perf_counter()
            page.get_by_role("link", name="Select").click()
            page.get_by_text("Facility-location coverage").first.wait_for(timeout=600_000)
            print(f"first Select visit (its caches cold): {time.perf_counter() - t:.2f}s "
                  "to the first cards")
            wait_drawn(page)
            print(f"first Select visit, drawn to the end: {time.perf_counter() - t:.2f}s")
            switches = {"Map": "Colour by", "Select": "Facility-location coverage",
                        "Pool": "Exact duplicates", "Compare": "Trade-off"}
            times: dict[str, list[float]] = {name: [] for name in switches}
            for _ in range(0 if args.no_switches else args.repeats):
                for name, marker in switches.items():
                    t = time.perf_counter()
                    page.get_by_role("link", name=name).click()
                    page.get_by_text(marker).first.wait_for(timeout=120_000)
                    page.wait_for_load_state("networkidle")
                    times[name].append(time.perf_counter() - t)
            for name, values in (() if args.no_switches else times.items()):
                print(f"page switch to {name:<8} median {statistics.median(values):.2f}s "
                      f"(max {max(values):.2f}s, n={len(values)})")
            page.get_by_role("link", name="Select").click()
            page.get_by_text("Facility-location coverage").first.wait_for(timeout=120_000)
            if args.strategy != "qdit":
                page.locator(".st-key-p_strategy input").click()
                page.get_by_role("option", name=args.strategy, exact=True).click()
                page.wait_for_timeout(500)
                wait_drawn(page)
            for quality in args.quality.split(","):
                page.locator(".st-key-p_quality input").click()
                page.get_by_role("option", name=quality, exact=True).click()
                page.wait_for_timeout(500)
                wait_drawn(page)
                for k in [int(v) for v in args.ks.split(",")]:
                    slider_releases(page, args.strategy, k, quality, args.sweeps, timing_log,
                                    args.think)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()

"""Dashboard responsiveness, measured in the browser (Chromium driven by Playwright).

    python benchmarks/bench_dashboard.py [--sizes 1000 20000] [--steps 15] [--play-seconds 6]

For each organisation size, serves the real dashboard (``lesim dashboard``'s server) on a
scenario of that size, opens it in headless Chromium and measures, in the page:

* **Step**: from the click to the status line showing the new week (the issue's measure),
  and to the first chart holding the new week's point — median and maximum of ``--steps``
  clicks, each after the previous one has settled;
* **Play** at the default 10 weeks/s: weeks advanced per second of wall time over
  ``--play-seconds`` after the first second (the target allows 5 % for the clock), and **Run to end** (as fast as
  possible) from week 0 to the horizon: weeks per second and frames (status-line updates)
  per second — weeks between frames are stepped but not drawn;
* **Pause**: weeks shown after the click that paused (0 = stopped at once).

Targets (issue 10): Step ≤ 150 ms at 1,000 people and ≤ 400 ms at 20,000; Play ≥ 10 weeks/s at
1,000 people with the charts live (Run to end reaches it, and the 10 weeks/s setting keeps
it within 5 %). Needs Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_STEP_MS = {1_000: 150, 20_000: 400}
TARGET_PLAY = 10.0  # weeks per second at 1,000 people

STEP_JS = """async () => {
    const status = () => document.querySelector('.lesim-status').textContent;
    const weekOf = (text) => parseInt(/^Week (\\d+)/.exec(text)[1]);
    const chartWeek = () => {
        const el = document.querySelector('.lesim-chart');
        const chart = window.lesimEchartsModule && window.lesimEchartsModule.getInstanceByDom(el);
        const ds = chart && chart.getOption().dataset;
        return ds && ds.length && ds[0].source.length ? ds[0].source[ds[0].source.length - 1][0] : -1;
    };
    const target = weekOf(status()) + 1;
    const button = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Step');
    const t0 = performance.now();
    let shown = null;
    button.click();
    return await new Promise((resolve) => {
        const poll = () => {
            const now = performance.now();
            if (shown === null && weekOf(status()) >= target) shown = now - t0;
            if (shown !== null && chartWeek() >= target) return resolve([shown, now - t0]);
            if (now - t0 > 30000) return resolve([shown, null]);
            requestAnimationFrame(poll);
        };
        poll();
    });
}"""

PAUSE_JS = """() => {
    const shown = parseInt(/^Week (\\d+)/.exec(document.querySelector('.lesim-status').textContent)[1]);
    [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Pause').click();
    return shown;
}"""

COUNT_FRAMES_JS = """() => {
    window.lesimFrames = 0;
    const observer = new MutationObserver(() => { window.lesimFrames += 1; });
    observer.observe(document.querySelector('.lesim-status'), {childList: true, subtree: true, characterData: true});
    window.lesimObserver = observer;
}"""


def week(page) -> int:
    return int(re.match(r"Week (\d+)", page.locator(".lesim-status").inner_text()).group(1))


def choose_speed(page, label: str) -> None:
    page.locator(".v-select", has_text="Speed").locator(".v-select__slot").click()
    page.get_by_role("option", name=label, exact=True).click()


def reset(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".lesim-status")).to_contain_text("Week 0 of", timeout=120_000)
    time.sleep(1.0)


def play(page, seconds: float) -> tuple[float, float, int]:
    """From week 0 at the default 10 weeks/s: weeks per second, frames per second, and the
    weeks shown after the Pause click."""
    from playwright.sync_api import expect

    reset(page)
    choose_speed(page, "10 weeks/s")
    page.evaluate(COUNT_FRAMES_JS)
    page.get_by_role("button", name="Play").click()
    time.sleep(1.0)  # the sustained rate: from the first second on (both readings lag the model by a frame)
    w0, t0 = week(page), time.perf_counter()
    time.sleep(seconds)
    w1, t1 = week(page), time.perf_counter()
    frames = page.evaluate("window.lesimFrames")
    at_click = page.evaluate(PAUSE_JS)  # the week shown when Pause is clicked, read in the page
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    time.sleep(1.0)
    return (w1 - w0) / (t1 - t0), frames / (t1 - t0), week(page) - at_click


def run_to_end(page) -> tuple[float, float]:
    """"Run to end" from week 0: weeks per second and frames per second."""
    from playwright.sync_api import expect

    reset(page)
    weeks = int(re.search(r"of (\d+)", page.locator(".lesim-status").inner_text()).group(1))
    page.evaluate(COUNT_FRAMES_JS)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Run to end").click()
    expect(page.locator(".lesim-status")).to_contain_text(f"Week {weeks} of", timeout=600_000)
    elapsed = time.perf_counter() - t0
    return weeks / elapsed, page.evaluate("window.lesimFrames") / elapsed


def measure(size: int, steps: int, play_seconds: float, browser) -> dict:
    from playwright.sync_api import expect

    from sim.dashboard.server import command, environment, free_port, wait_ready

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bench.yaml").write_text(f"name: bench\norganisation: {{size: {size}}}\n")
        port = free_port()
        log = Path(tempfile.gettempdir()) / f"lesim-bench-dashboard-{size}.log"
        with open(log, "w") as out:
            env = {**environment([folder], [folder / "results"], "bench")}
            proc = subprocess.Popen(command("127.0.0.1", port), cwd=ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                url = f"http://127.0.0.1:{port}"
                wait_ready(proc, url, log)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                t0 = time.perf_counter()
                page.goto(url)
                expect(page.locator(".lesim-status")).to_contain_text("Week 0 of", timeout=120_000)
                expect(page.locator(".lesim-chart canvas").first).to_be_visible(timeout=60_000)
                ready = time.perf_counter() - t0
                page.evaluate("async () => { window.lesimEchartsModule = await window.lesimEcharts; }")
                time.sleep(1.0)
                page.evaluate(STEP_JS)  # warm-up (first charts' incremental path)
                status_ms, chart_ms = [], []
                for _ in range(steps):
                    time.sleep(0.3)
                    shown, drawn = page.evaluate(STEP_JS)
                    print(f"  {size:,} Step: status {shown:.0f} ms, chart {drawn or float('nan'):.0f} ms", flush=True)
                    status_ms.append(shown)
                    chart_ms.append(drawn)
                fixed = play(page, play_seconds)
                fastest = run_to_end(page)
                page.close()
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
    return {"size": size, "ready": ready, "status": status_ms, "chart": chart_ms, "play10": fixed, "fast": fastest}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 20_000])
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--play-seconds", type=float, default=6.0)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        results = [measure(size, args.steps, args.play_seconds, browser) for size in args.sizes]
        browser.close()

    print(f"{'employees':>9} | {'page ready s':>12} | {'Step → status ms':>18} | {'Step → chart ms':>17} | "
          f"{'Play 10/s: weeks/s':>18} | {'Run to end: weeks/s':>19} | {'frames/s':>8} | {'weeks after Pause':>17} | "
          "target")
    for r in results:
        st, ch = r["status"], [c for c in r["chart"] if c is not None]
        target = TARGET_STEP_MS.get(r["size"])
        ok = [f"Step ≤ {target} ms: {'met' if statistics.median(st) <= target else 'NOT met'}"] if target else []
        if r["size"] <= 1_000:
            ok.append(f"Play ≥ {TARGET_PLAY:g} weeks/s: "
                      f"{'met' if r['fast'][0] >= TARGET_PLAY and r['play10'][0] >= 0.95 * TARGET_PLAY else 'NOT met'}")
        print(f"{r['size']:>9,} | {r['ready']:>12.1f} | {statistics.median(st):>7.0f} (max {max(st):>5.0f}) | "
              f"{statistics.median(ch) if ch else float('nan'):>6.0f} (max {max(ch) if ch else float('nan'):>5.0f}) | "
              f"{r['play10'][0]:>18.1f} | {r['fast'][0]:>19.1f} | {r['fast'][1]:>8.1f} | "
              f"{r['play10'][2]:>17} | {'; '.join(ok)}", flush=True)


if __name__ == "__main__":
    main()

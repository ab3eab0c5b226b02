"""Dashboard sessions against a real server (issue 14, defect 7): memory and fairness.

    python benchmarks/bench_dashboard_sessions.py memory [--sessions 10] [--cull 5s]
    python benchmarks/bench_dashboard_sessions.py fairness [--steps 5] [--players 1]

``memory`` starts ``lesim dashboard``'s server, opens N browser sessions one after another
(each builds its models), drops them the way a lost connection does (the page goes without
the close message) and reports the server's resident memory before, with all N open, and
after Solara's reconnect window (``SOLARA_KERNEL_CULL_TIMEOUT``, given by ``--cull``) has
ended them. ``fairness`` times Step in one page, alone and while another page plays.
Needs Playwright and Chromium (``LESIM_CHROMIUM``, default /usr/bin/chromium).
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
from sim.dashboard.server import free_port, wait_ready  # noqa: E402

CHROMIUM = os.environ.get("LESIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(log: Path, extra_env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "COLUMNS": "200", **extra_env}
    proc = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_ready(proc, url, log)
    return proc, url


def server_pid(proc: subprocess.Popen) -> int:
    """The Solara server's process (the child of ``lesim dashboard``)."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return int(children[0]) if children else proc.pid


def week(page) -> int:
    return int(re.search(r"Week (\d+) of", page.get_by_text(re.compile(r"^Week \d+ of")).inner_text()).group(1))


def open_page(browser, url):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_text(re.compile(r"^Week 0 of")).wait_for()
    return page


def memory(browser, url, proc, sessions: int, cull: float, log: Path) -> None:
    pid = server_pid(proc)
    first = open_page(browser, url)
    first.close()
    time.sleep(cull + 3)
    line = f"server RSS: {rss_mb(pid):.0f} MB before"
    for round_ in (1, 2):
        contexts = []
        for _ in range(sessions):
            ctx = browser.new_context()
            page = open_page(ctx, url)
            page.get_by_role("button", name="Step").click()
            contexts.append(ctx)
        line += f"; round {round_}: {rss_mb(pid):.0f} MB with {sessions} sessions open"
        for ctx in contexts:
            ctx.close()  # the browser context goes: the websocket drops, no close message
        time.sleep(cull + 5)
        line += f", {rss_mb(pid):.0f} MB {cull + 5:.0f} s after they were dropped"
    freed = log.read_text().count("its models are freed")
    print(f"{line} (reconnect window {cull:.0f} s; {freed} of {2 * sessions + 1} sessions logged as freed)")


def fairness(browser, url, steps: int, players: int) -> None:
    players_pages = [open_page(browser, url) for _ in range(players)]
    b = open_page(browser, url)

    def step_times(page) -> list[float]:
        out = []
        for _ in range(steps):
            w = week(page)
            t0 = time.perf_counter()
            page.get_by_role("button", name="Step").click()
            page.get_by_text(re.compile(rf"^Week {w + 1} of")).wait_for()
            out.append(time.perf_counter() - t0)
        return out

    alone = step_times(b)
    for a in players_pages:
        a.get_by_role("button", name="Play").click()
    time.sleep(2)
    w0, t0 = [week(a) for a in players_pages], time.perf_counter()
    shared = step_times(b)
    played = [week(a) - w for a, w in zip(players_pages, w0)]
    elapsed = time.perf_counter() - t0
    for a in players_pages:
        a.get_by_role("button", name="Pause").click()
    print(f"Step in page B: median {statistics.median(alone):.2f} s alone, {statistics.median(shared):.2f} s "
          f"(max {max(shared):.2f}) while {players} other page(s) play; they played {played} weeks "
          f"in those {elapsed:.1f} s; B did {steps}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["memory", "fairness"])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--cull", type=float, default=5.0, help="seconds of Solara's reconnect window")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--players", type=int, default=1, help="pages playing while page B steps (fairness)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp()) / "server.log"
    proc, url = start(log, {"SOLARA_KERNEL_CULL_TIMEOUT": f"{args.cull:g}s"})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            if args.what == "memory":
                memory(browser, url, proc, args.sessions, args.cull, log)
            else:
                fairness(browser, url, args.steps, args.players)
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    print(f"(server log: {log})")


if __name__ == "__main__":
    main()

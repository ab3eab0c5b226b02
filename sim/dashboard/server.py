"""Start the dashboard: ``solara run`` on this package's app, bound to 127.0.0.1 by default."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

APP = Path(__file__).with_name("app.py")
# How long a browser session whose connection was lost keeps its models, waiting for the
# page to reconnect (Solara's default is 24 h; a closed tab frees them at once). Set
# SOLARA_KERNEL_CULL_TIMEOUT to change it (e.g. "10m").
RECONNECT_WINDOW = "2m"
STOP_GRACE = 5.0  # seconds the server gets to close its sessions after a stop signal before it is killed


def environment(scenario_dirs: list[Path], results_dirs: list[Path], initial: str) -> dict[str, str]:
    return {
        **os.environ,
        "LESIM_SCENARIO_DIRS": os.pathsep.join(str(p.resolve()) for p in scenario_dirs),
        "LESIM_RESULTS_DIRS": os.pathsep.join(str(p.resolve()) for p in results_dirs),
        "LESIM_SCENARIO": initial,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_THEME_SHOW_BANNER": "false",  # its badge sat over the charts
        "SOLARA_THEME_TITLE": "lesim dashboard",
        "SOLARA_KERNEL_CULL_TIMEOUT": os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", RECONNECT_WINDOW),
        "MPLBACKEND": "Agg",
    }


def command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "solara", "run", "sim.dashboard.app", "--host", host, "--port", str(port),
            "--no-open", "--production", "--no-check-version"]


def _die_with_parent() -> None:
    """In the server process, before it starts (Linux): get SIGTERM when ``lesim dashboard``
    dies, even by SIGKILL, so no orphan keeps serving the port."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the signal forwarding below still applies
        pass


def serve(scenario_dirs: list[Path], results_dirs: list[Path], initial: str, host: str, port: int) -> int:
    """Run the server in the foreground until it exits or ``lesim dashboard`` is asked to stop.

    SIGINT, SIGTERM and SIGHUP are passed on to the server as SIGTERM (it closes its
    sessions and its port); a server that has not exited ``STOP_GRACE`` seconds later is
    killed. Returns the server's exit status, 0 after a requested stop."""
    env = environment(scenario_dirs, results_dirs, initial)
    stop: list[int] = []
    server = subprocess.Popen(command(host, port), env=env,
                              preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)

    def forward(signum, _frame) -> None:
        stop.append(signum)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)

    signals = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, forward) for s in signals}
    try:
        deadline = None
        while server.poll() is None:
            if stop and deadline is None:
                deadline = time.monotonic() + STOP_GRACE
            if deadline is not None and time.monotonic() > deadline:
                server.kill()
            try:
                server.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if server.poll() is None:
            server.kill()
            server.wait()
    return 0 if stop else server.returncode


def free_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` that nothing listens on at this moment (tests and benchmarks start
    servers on one)."""
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_ready(proc: subprocess.Popen, url: str, log: Path, timeout: float = 90.0) -> None:
    """Wait until the dashboard at ``url`` (started as ``proc``, writing to ``log``) answers
    Solara's readiness probe ``/readyz``; RuntimeError with the log's end if the process exits
    first or nothing answers within ``timeout`` seconds."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard server exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"dashboard server not ready after {timeout:g} s: {log.read_text()[-3000:]}")


def scenario_folders(scenario: Path | None, folders: list[Path]) -> tuple[list[Path], str]:
    """The folders of scenario files the page may open (default ``./scenarios``, plus the
    given scenario's folder) and the scenario it opens first (its stem, else ``baseline``).

    Raises :class:`~sim.loader.ScenarioError` for an invalid scenario or a missing folder.
    """
    from ..loader import ScenarioError, load_scenario

    folders = list(folders) or [Path("scenarios")]
    initial = "baseline"
    if scenario is not None:
        load_scenario(scenario)
        if scenario.parent.resolve() not in [f.resolve() for f in folders]:
            folders.append(scenario.parent)
        initial = scenario.stem
    for f in folders:
        if not f.is_dir():
            raise ScenarioError(f"{f}: no such folder of scenarios")
    return folders, initial

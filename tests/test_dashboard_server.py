"""Issue 14, defect 7: ``lesim dashboard`` stops cleanly. SIGTERM to the command stops the
Solara server it started, so the port is free at once for the next start; a killed command
takes its server with it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.dashboard.server import free_port, wait_ready

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def start(port: int, log: Path) -> tuple[subprocess.Popen, int]:
    """``lesim dashboard`` on ``port``; returns the command and its server's pid once it answers."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", str(port)], cwd=ROOT,
                            stdout=log.open("a"), stderr=subprocess.STDOUT)
    wait_ready(proc, f"http://127.0.0.1:{port}", log)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    assert len(children) == 1, children
    return proc, int(children[0])


def gone(pid: int, within: float) -> bool:
    deadline = time.time() + within
    while time.time() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
        except FileNotFoundError:
            return True
        if state == "Z":  # exited, waiting for its parent to collect it
            return True
        time.sleep(0.1)
    return False


def bindable(port: int, within: float) -> float | None:
    """Seconds until ``port`` can be bound as a server binds it (SO_REUSEADDR), or None."""
    t0 = time.time()
    while time.time() - t0 < within:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
                s.listen()
                return time.time() - t0
            except OSError:
                time.sleep(0.1)
    return None


def test_sigterm_stops_the_server_and_frees_the_port(tmp_path: Path):
    port, log = free_port(), tmp_path / "server.log"
    proc, server = start(port, log)
    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read()
    t0 = time.time()
    proc.send_signal(signal.SIGTERM)        # to the command only, as a service manager or `kill` does
    assert proc.wait(timeout=15) == 0, log.read_text()[-2000:]
    assert gone(server, within=1.0), "the Solara server outlived `lesim dashboard`"
    waited = bindable(port, within=3.0)
    assert waited is not None, f"port {port} still taken {time.time() - t0:.1f} s after SIGTERM"
    # the next start on the same port works, and a SIGKILLed command takes its server along
    proc, server = start(port, log)
    proc.kill()
    proc.wait(timeout=5)
    assert gone(server, within=10.0), "the Solara server outlived a killed `lesim dashboard`"
    assert bindable(port, within=3.0) is not None

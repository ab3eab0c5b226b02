"""Start the dashboard: ``solara run`` on this package's app, bound to 127.0.0.1 by default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")
# How long a browser session whose connection was lost keeps its models, waiting for the
# page to reconnect (Solara's default is 24 h; a closed tab frees them at once). Set
# SOLARA_KERNEL_CULL_TIMEOUT to change it (e.g. "10m").
RECONNECT_WINDOW = "2m"


def environment(scenario_dirs: list[Path], results_dirs: list[Path], initial: str) -> dict[str, str]:
    return {
        **os.environ,
        "LESIM_SCENARIO_DIRS": os.pathsep.join(str(p.resolve()) for p in scenario_dirs),
        "LESIM_RESULTS_DIRS": os.pathsep.join(str(p.resolve()) for p in results_dirs),
        "LESIM_SCENARIO": initial,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        "SOLARA_KERNEL_CULL_TIMEOUT": os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", RECONNECT_WINDOW),
        "MPLBACKEND": "Agg",
    }


def command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "solara", "run", "sim.dashboard.app", "--host", host, "--port", str(port),
            "--no-open", "--production", "--no-check-version"]


def serve(scenario_dirs: list[Path], results_dirs: list[Path], initial: str, host: str, port: int) -> int:
    """Run the server in the foreground until interrupted; returns its exit status."""
    env = environment(scenario_dirs, results_dirs, initial)
    try:
        return subprocess.call(command(host, port), env=env)
    except KeyboardInterrupt:
        return 0


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

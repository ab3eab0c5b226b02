"""Shared helpers: small scenarios built from data, never from global state."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.loader import scenario_from_data
from sim.model import LearningEcosystem

ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session) -> None:
    """The fuzz counts (``tests/fuzzcounts.py``) are those of this run only: the controller
    (not an xdist worker) clears the previous run's before any test records its own."""
    if not hasattr(session.config, "workerinput"):
        from .fuzzcounts import FOLDER

        shutil.rmtree(FOLDER, ignore_errors=True)


def merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in extra.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def make_scenario(**sections):
    """A small (120-person) scenario with the given sections merged over the defaults. It starts
    from the initial draws (``start.spin_up_weeks`` 0: every seat occupied, nothing settled),
    which rule tests on a small organisation want; pass ``start=...`` to spin up."""
    data = merge({"name": "test", "weeks": 20, "seed": 3, "organisation": {"size": 120},
                  "start": {"spin_up_weeks": 0}}, sections)
    return scenario_from_data(data)


SUITE_SIZE = 5_000


def scaled_down(path: Path) -> list[str]:
    """Overrides that run a shipped enterprise-scale scenario on ``SUITE_SIZE`` people in the
    suite (its rules and economics are per person; the full size is measured by
    benchmarks/bench_model.py, which would take minutes here); none for the others."""
    import yaml

    size = (yaml.safe_load(path.read_text()).get("organisation") or {}).get("size", 0)
    return [f"organisation.size={SUITE_SIZE}"] if size > SUITE_SIZE else []


def make_model(**sections) -> LearningEcosystem:
    return LearningEcosystem(make_scenario(**sections))


def lesim(*args: str, cwd: Path = ROOT, check: bool = False) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess (the installed console script's module)."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"lesim {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture
def root() -> Path:
    return ROOT


# ----------------------------------------------------------------------------- browser
CHROMIUM = os.environ.get("LESIM_CHROMIUM", "/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium instead of a downloaded browser (PLATFORM-NOTES: no downloads here)."""
    if not Path(CHROMIUM).exists():
        message = (f"no Chromium at {CHROMIUM}: install it (Debian/Ubuntu: `apt-get install chromium`) "
                   "or set LESIM_CHROMIUM to its path")
        if os.environ.get("LESIM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": BROWSER_ARGS}

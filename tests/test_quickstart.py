"""The README quick start is executable: exactly two commands, and the first one works."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_quickstart_is_two_commands():
    assert quickstart_commands() == ["make run", "make test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.splitlines()[-1] == "make test"
    assert "LESIM_REQUIRE_BROWSER=1" in ci


def test_make_run_runs_the_default_scenario(tmp_path: Path):
    venv = Path(sys.prefix)
    out = tmp_path / "quickstart"
    proc = subprocess.run(["make", "run", f"VENV={venv}", f"OUT={out}", "-o", f"{venv}/.installed"],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Headline outcomes" in proc.stdout
    assert (out / "report.html").is_file() and (out / "timeseries.csv").is_file()

"""Fill Solara's front-end asset cache at install time, so the dashboard works offline.

Solara's page loads its JavaScript and CSS through its ``/_solara/cdn/`` proxy, which
downloads from a public CDN on first use; on a machine without internet access the page
stays blank. This module finds the exact package versions the installed Solara asks for
(from its page template, plus the packages its widgets load on demand) and unpacks each
from the npm registry (``npm pack``) into the proxy's cache folder
(``<sys.prefix>/share/solara/cdn`` or ``$SOLARA_ASSETS_PROXY_CACHE_DIR``).

    python -m sim.dashboard.assets          # run by `make` at install time
    python -m sim.dashboard.assets --check  # exit 1 if anything is missing
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# Packages Solara loads that the source scan below cannot see (none known for Solara 1.64).
ON_DEMAND: list[str] = []
MARKER = ".lesim-complete"


def cache_dir() -> Path:
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


CDN_REFERENCE = re.compile(r"(?:getCdn\(\)\}|\{\{\s*cdn\s*\}\}|cdn\})/((?:@[\w.-]+/)?[\w.-]+)@(\d[\w.-]*)/")


def required_packages() -> list[str]:
    """``name@version`` of every package the page loads through Solara's CDN proxy: those
    Solara's page template names, those its components import on demand, and those the
    dashboard's own templates load (ECharts for the live charts) — found by scanning the
    sources, so a Solara upgrade brings its own list."""
    import solara
    import solara.server.settings as settings

    found: list[tuple[str, str]] = []
    for root in (Path(solara.__file__).parent, Path(__file__).parent):  # Solara's sources, then the dashboard's own
        for f in sorted(root.rglob("*")):
            if f.suffix in (".py", ".vue", ".j2", ".html") and f.is_file():
                found += CDN_REFERENCE.findall(f.read_text(errors="ignore"))
    fa = re.match(r"/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/", settings.assets.fontawesome_path)
    if fa:
        found.append(fa.groups())
    return list(dict.fromkeys([f"{n}@{v}" for n, v in found] + ON_DEMAND))


def missing(cache: Path | None = None) -> list[str]:
    cache = cache or cache_dir()
    return [p for p in required_packages() if not (cache / p / MARKER).exists()]


def install(cache: Path | None = None, quiet: bool = False) -> list[str]:
    """Unpack every missing package into the cache; returns what was installed."""
    cache = cache or cache_dir()
    todo = missing(cache)
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed once to fill Solara's asset cache for offline use "
                           "(e.g. `apt-get install npm`), or install the `solara-assets` package matching Solara")
    installed = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            out = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", tmp], capture_output=True,
                                 text=True, check=True).stdout.strip().splitlines()[-1]
            target = cache / spec
            staging = Path(tmp) / "x"
            if staging.exists():
                shutil.rmtree(staging)
            with tarfile.open(Path(tmp) / out) as tar:
                tar.extractall(staging, filter="data")
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging / "package"), target)
            meta = json.loads((target / "package.json").read_text())
            main = meta.get("jsdelivr") or meta.get("browser") if isinstance(meta.get("browser"), str) else None
            main = main or meta.get("main")
            if main and (target / main).is_file():
                shutil.copyfile(target / main, target / "__main.js")
            (target / MARKER).write_text("unpacked from the npm registry by sim.dashboard.assets\n")
            installed.append(spec)
            if not quiet:
                print(f"cached {spec} in {target}")
    return installed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only report what is missing (exit 1 if anything is)")
    args = ap.parse_args()
    if args.check:
        gone = missing()
        for spec in gone:
            print(f"missing: {spec}")
        sys.exit(1 if gone else 0)
    try:
        install()
    except (RuntimeError, subprocess.CalledProcessError) as e:
        sys.exit(f"could not fill Solara's asset cache: {e}")
    print(f"Solara assets ready in {cache_dir()}")


if __name__ == "__main__":
    main()

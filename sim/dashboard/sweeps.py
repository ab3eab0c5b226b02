"""View a finished sweep's comparison in the dashboard (folders given at start only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import solara

from .session import inside, within


class SweepFolders:
    """Sweep folders (with ``experiment.yaml`` and ``comparison.csv``) directly under the
    given results folders, chosen by name — never a path sent from the page."""

    def __init__(self, roots: list[Path]):
        self.roots = [Path(r).resolve() for r in roots]

    def sweeps(self) -> dict[str, Path]:
        """Name → real path of each sweep folder whose real path (symlinks resolved) and whose
        two files stay inside the results folders."""
        out: dict[str, Path] = {}
        for root in self.roots:
            try:
                entries = sorted(root.iterdir()) if root.is_dir() else []
            except OSError:
                entries = []
            for d in entries:
                real = within(d, self.roots)
                if real is None or not real.is_dir():
                    continue
                if inside(real / "experiment.yaml", self.roots) and inside(real / "comparison.csv", self.roots):
                    out.setdefault(d.name, real)
        return out


def link_out(folder: Path, roots: list[Path]) -> Path | None:
    """The first path of a sweep folder that ``load_sweep`` would read (``runs/``,
    ``checksums/``, ``plan.keys`` and the files in those folders) whose real path leads out of
    the results folders (a symlink planted in a sweep), or ``None``."""
    tops = [folder / "runs", folder / "checksums", folder / "plan.keys"]
    for top in tops:  # a dangling or looping link counts as leading out
        if (top.exists() or top.is_symlink()) and within(top, roots) is None:
            return top
    for sub in tops[:2]:
        try:
            entries = list(sub.iterdir()) if sub.is_dir() else []
        except OSError:
            entries = []
        for p in entries:
            if p.is_symlink() and within(p, roots) is None:
                return p
    return None


@solara.component
def SweepView(folders: SweepFolders):
    sweeps = folders.sweeps()
    choice, set_choice = solara.use_state(None)
    outcome, set_outcome = solara.use_state(None)
    with solara.Card("Finished sweeps (run `lesim compare` to add one)"):
        if not sweeps:
            solara.Text("No compared sweeps in the results folders yet.")
            return
        solara.Select(label="Sweep", values=list(sweeps), value=choice, on_value=set_choice)
        if not isinstance(choice, str) or choice not in sweeps:
            return
        escaped = link_out(sweeps[choice], folders.roots)
        if escaped is not None:
            solara.Error(f"{escaped}: leads out of the results folders; this sweep is not read", classes=["lesim-error"])
            return
        SweepTable(sweeps[choice], outcome, set_outcome)


@solara.component
def SweepTable(folder: Path, outcome, set_outcome):
    """The comparison table and trajectories of one sweep; a damaged sweep gives one line."""
    from ..experiments.compare import CompareError, load_sweep, trajectory_figure
    from ..reporting import figure_to_png

    try:
        table = pd.read_csv(folder / "comparison.csv")
        outcomes = list(dict.fromkeys(table["outcome"]))
        current = outcome if outcome in outcomes else outcomes[0]
        cols = ["strategy", "uncertainty", "n", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high",
                "effect_size", "p_adj", "rank", "prob_best"]
        shown = table[table["outcome"] == current][cols].round(4)
        _exp, runs = load_sweep(folder)
        first = table["uncertainty"].iloc[0]
        png = figure_to_png(trajectory_figure(runs, [current], first))
    except CompareError as e:
        solara.Error(str(e), classes=["lesim-error"])
        return
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        first_line = (str(e).strip().splitlines() or [""])[0]
        solara.Error(f"{folder}: cannot show this sweep ({type(e).__name__}: {first_line}); rerun `lesim compare`",
                     classes=["lesim-error"])
        return
    solara.Select(label="Outcome", values=outcomes, value=current, on_value=set_outcome)
    solara.DataFrame(shown, items_per_page=30)
    solara.Image(png, format="png")

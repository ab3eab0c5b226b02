"""View a finished sweep's comparison in the dashboard (folders given at start only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import solara


class SweepFolders:
    """Sweep folders (with ``experiment.yaml`` and ``comparison.csv``) directly under the
    given results folders, chosen by name — never a path sent from the page."""

    def __init__(self, roots: list[Path]):
        self.roots = [Path(r).resolve() for r in roots]

    def sweeps(self) -> dict[str, Path]:
        out: dict[str, Path] = {}
        for root in self.roots:
            if root.is_dir():
                for d in sorted(root.iterdir()):
                    if (d / "experiment.yaml").is_file() and (d / "comparison.csv").is_file():
                        out.setdefault(d.name, d)
        return out


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
        if choice is None or choice not in sweeps:
            return
        table = pd.read_csv(sweeps[choice] / "comparison.csv")
        outcomes = list(dict.fromkeys(table["outcome"]))
        current = outcome if outcome in outcomes else outcomes[0]
        solara.Select(label="Outcome", values=outcomes, value=current, on_value=set_outcome)
        cols = ["strategy", "uncertainty", "n", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high",
                "effect_size", "p_adj", "rank", "prob_best"]
        solara.DataFrame(table[table["outcome"] == current][cols].round(4), items_per_page=30)
        from ..experiments.compare import load_sweep, trajectory_figure
        from ..reporting import figure_to_png

        _exp, runs = load_sweep(sweeps[choice])
        first = table["uncertainty"].iloc[0]
        solara.Image(figure_to_png(trajectory_figure(runs, [current], first)), format="png")

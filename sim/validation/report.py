"""Charts of the March (1991) docking experiments, and the figures of docs/validation.md.

``python -m sim.validation.report`` runs every ``experiments/march_*.yaml``, writes the
tables to ``results/march/`` and the charts to ``docs/figures/march_*.png``, and prints the
numbers the docs quote. ``--replications N`` overrides the files' replications (for a
quick look); ``--only NAME`` runs one experiment.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..reporting import pyplot, save_figure
from .charts import plot_experiment
from .experiments import ExperimentResult, load_experiment, paired_difference, run_experiment, write_outputs

__all__ = ["WORKIEWICZ_SCORE", "P1_GRID", "plot_experiment", "plot_score_vs_workiewicz", "summarise", "main"]

ROOT = Path(__file__).resolve().parents[2]

# Workiewicz's Python recreation of March's original program (gradual socialisation,
# superior group by performance; Christensen 2015), 10,000 runs per point, published as
# github.com/Mac13kW/March_1991_Original, Output/March_1991_p1_0.1-0.9_p2_0.1-0.9_p3_0_p4_0_t_limit_100_i_10000.csv.
# Its "knowledge" is the code score Σ code·reality / m. Keys: p2; values for p1 = 0.1 … 0.9.
WORKIEWICZ_SCORE = {
    0.1: [0.8633, 0.8171, 0.8051, 0.8021, 0.7994, 0.8032, 0.8060, 0.8090, 0.8132],
    0.5: [0.9543, 0.9088, 0.8691, 0.8371, 0.8106, 0.7867, 0.7679, 0.7540, 0.7421],
    0.9: [0.9724, 0.9404, 0.9081, 0.8737, 0.8401, 0.8067, 0.7796, 0.7561, 0.7284],
}
P1_GRID = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def plot_score_vs_workiewicz(results: dict[str, ExperimentResult], path: str | Path) -> Path:
    """Our equilibrium code score (both k rules) beside Workiewicz's published recreation."""
    plt = pyplot()
    names = [n for n in ("march_learning_rates", "march_k_rule") if n in results]
    fig, axes = plt.subplots(1, len(names), figsize=(6.4 * len(names), 4.6), squeeze=False, sharey=True)
    for ax, name in zip(axes[0], names):
        table = results[name].table
        for i, (p2, ref) in enumerate(sorted(WORKIEWICZ_SCORE.items())):
            g = table[np.isclose(table["p2"], p2)].sort_values("p1")
            colour = f"C{i}"
            ax.errorbar(g["p1"], g["mean_code_score"], yerr=1.96 * g["se_code_score"], color=colour, marker="o",
                        ms=3.5, capsize=2, lw=1.4, label=f"lesim, p2={p2}")
            ax.plot(P1_GRID, ref, color=colour, ls="--", marker="x", lw=1, label=f"Workiewicz, p2={p2}")
        rule = str(table["k_rule"].iloc[0])
        reps = int(table["replications"].iloc[0])
        ax.set_title(f"k_rule = {rule} (lesim {reps:,} replications; Workiewicz 10,000)", fontsize=9)
        ax.set_xlabel("p1")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    axes[0][0].set_ylabel("equilibrium code score  Σ code·reality / m")
    fig.suptitle("March (1991) Figure 1 as code score: lesim vs Workiewicz's recreation of the original program "
                 "(gradual, performance)", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def _value(table: pd.DataFrame, column: str = "mean_code_knowledge", **where) -> float:
    sub = table
    for k, v in where.items():
        sub = sub[np.isclose(sub[k], v)] if isinstance(v, float) else sub[sub[k] == v]
    if len(sub) != 1:
        raise KeyError(f"{where}: {len(sub)} rows")
    return float(sub[column].iloc[0])


def summarise(name: str, result: ExperimentResult) -> list[str]:
    """Markdown lines with the numbers docs/validation.md quotes."""
    t = result.table
    lines = [f"### {name} ({int(t['replications'].iloc[0]):,} replications per point, seed {int(t['seed'].iloc[0])})"]
    if name in ("march_learning_rates", "march_k_rule"):
        lines.append("| p1 | " + " | ".join(f"p2={p2} knowledge ± SE (score; Workiewicz score)" for p2 in (0.1, 0.5, 0.9)) + " |")
        lines.append("|---|---|---|---|")
        for i, p1 in enumerate(P1_GRID):
            cells = []
            for p2 in (0.1, 0.5, 0.9):
                k = _value(t, p1=p1, p2=p2)
                se = _value(t, "se", p1=p1, p2=p2)
                s = _value(t, "mean_code_score", p1=p1, p2=p2)
                cells.append(f"{k:.3f} ± {se:.3f} ({s:.3f}; {WORKIEWICZ_SCORE[p2][i]:.3f})")
            lines.append(f"| {p1} | " + " | ".join(cells) + " |")
        lines.append(f"mean periods to equilibrium: {t['mean_periods'].min():.1f}–{t['mean_periods'].max():.1f}; "
                     f"reached equilibrium {int(t['reached_equilibrium'].sum()):,} of "
                     f"{int(t['replications'].sum()):,}; shared belief {int(t['shared_belief'].sum()):,}")
    elif name == "march_heterogeneity":
        by = {p.label: r for p, r in result.results}
        for fast in (5, 10, 15, 20, 25, 30, 35, 40, 45):
            het = by[f"mixed, {fast} fast"]
            mean = round(0.1 + 0.8 * fast / 50, 2)
            hom = by[f"uniform, p1 = {mean:g}"]
            d, se = paired_difference(het, hom)
            lines.append(f"- {fast} fast of 50 (mean p1 {mean:g}): mixed {het.mean_code_knowledge:.3f} ± {het.se:.3f}, "
                         f"uniform {hom.mean_code_knowledge:.3f} ± {hom.se:.3f}, paired difference {d:+.4f} ± {se:.4f}")
    elif name == "march_turnover":
        for p4 in (0.0, 0.02):
            for p1 in (0.1, 0.9):
                sub = t[np.isclose(t["p4"], p4) & np.isclose(t["p1"], p1)].sort_values("p3")
                best = sub.loc[sub["mean_code_knowledge"].idxmax()]
                vals = ", ".join(f"{r.p3:g}: {r.mean_code_knowledge:.3f}" for r in sub.itertuples())
                lines.append(f"- p4={p4:g}, p1={p1:g}: best p3 {best.p3:g} ({best.mean_code_knowledge:.3f} ± "
                             f"{best.se:.3f}); by p3: {vals}")
    elif name == "march_turbulence":
        tr = result.trace
        for p3, g in tr.groupby("p3"):
            pts = ", ".join(f"t{int(r.period)}: {r.mean_code_knowledge:.3f}" for r in g.itertuples()
                            if r.period in (1, 5, 10, 20, 30, 50, 75, 100))
            lines.append(f"- p3={p3:g}: {pts}")
    elif name == "march_switches":
        for (sup, soc), g in t.groupby(["superior", "socialisation"]):
            g = g.sort_values("p1")
            vals = ", ".join(f"{r.p1:g}: {r.mean_code_knowledge:.3f}" for r in g.itertuples())
            lines.append(f"- {sup}/{soc}: {vals}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.validation.report", description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=None, help="Override every file's replications.")
    parser.add_argument("--only", action="append", default=[], help="Run only this experiment name (repeatable).")
    parser.add_argument("--figures", type=Path, default=ROOT / "docs" / "figures", help="Folder for the PNGs.")
    parser.add_argument("--tables", type=Path, default=ROOT / "results" / "march", help="Folder for the CSVs.")
    args = parser.parse_args(argv)
    files = sorted((ROOT / "experiments").glob("march_*.yaml"))
    lines: list[str] = []
    results: dict[str, ExperimentResult] = {}
    for f in files:
        exp = load_experiment(f)
        name = exp.spec.name
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        result = run_experiment(exp, replications=args.replications,
                                on_point=lambda i, n, p: print(f"  {name}: point {i + 1}/{n} {p.label}",
                                                               file=sys.stderr, flush=True))
        write_outputs(result, args.tables)
        args.figures.mkdir(parents=True, exist_ok=True)
        plot_experiment(result, args.figures / f"{name}.png")
        results[name] = result
        print(f"{name}: {len(exp.points)} points in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        lines += summarise(name, result) + [""]
    if "march_learning_rates" in results:
        plot_score_vs_workiewicz(results, args.figures / "march_score_vs_workiewicz.png")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

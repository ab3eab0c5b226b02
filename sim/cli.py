"""The ``lesim`` command line: a thin shell over :mod:`sim.loader` and :mod:`sim.run`.

User mistakes (a bad scenario, a bad ``--set``, an occupied output folder) print one line
on stderr and exit with status 2; nothing is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .loader import ScenarioError, load_scenario

app = typer.Typer(
    name="lesim",
    help="Simulate an organisation's learning ecosystem and test L&D strategies before rolling them out.\n\n"
         "Example: lesim run scenarios/baseline.yaml --weeks 104 --set policies.mentoring.enabled=true",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True)


def check_writable(folder: Path) -> None:
    """Fail now, not after a long run, if results cannot be written into ``folder``."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".lesim-write-check-"):
            pass
    except OSError as e:
        fail(f"{folder}: cannot write results there ({e.strerror or e}); choose another --out")


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error and exit (status 2 for user mistakes)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/baseline.yaml."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Override the scenario's seed, e.g. --seed 7."),
    weeks: Optional[int] = typer.Option(None, "--weeks", help="Override the horizon in weeks, e.g. --weeks 52."),
    set_: List[str] = typer.Option([], "--set", help="Override any parameter by its key path, validated like the file; "
                                   "repeatable, e.g. --set policies.mentoring.ratio=0.3 --set culture.growth_mindset=0.6."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (must be new or empty); default "
                                       "results/<scenario-name>/<UTC timestamp>/."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run a scenario: tables (CSV), summary, manifest, charts (PNG) and a one-file HTML report.

    Example: lesim run scenarios/mentoring_programme.yaml --seed 3 --out results/mentoring-try
    """
    from .run import default_out_dir, headline_rows, simulate, write_outputs

    overrides = list(set_)
    if seed is not None:
        overrides.append(f"seed={seed}")
    if weeks is not None:
        overrides.append(f"weeks={weeks}")
    try:
        sc = load_scenario(scenario, overrides)
    except ScenarioError as e:
        fail(str(e))
    out_dir = out if out is not None else default_out_dir(sc)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        fail(f"{out_dir}: exists and is not an empty folder; choose another --out")
    check_writable(out_dir.parent)
    out_console.print(f"[bold]{sc.name}[/]: {sc.organisation.size:,} people, {sc.weeks} weeks, seed {sc.seed}")
    progress = Progress(TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("weeks"),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, disable=quiet, transient=True)
    with progress:
        task = progress.add_task("run", total=sc.weeks)
        result = simulate(sc, progress=lambda w, n: progress.update(task, completed=w))
    try:
        write_outputs(result, out_dir)
    except FileExistsError as e:
        fail(str(e))
    table = Table(title=f"Headline outcomes ({sc.name})")
    for col in ("Outcome", "Unit", "Week 0/1", f"Week {sc.weeks}"):
        table.add_column(col, justify="right" if col.startswith("Week") else "left")
    for row in headline_rows(result):
        table.add_row(*row)
    out_console.print(table)
    out_console.print(f"Wrote results to [bold]{out_dir}[/] ({result.wall_seconds:.1f} s)")


@app.command()
def validate(
    files: List[Path] = typer.Argument(..., help="Scenario files to check, e.g. scenarios/*.yaml."),
    set_: List[str] = typer.Option([], "--set", help="Overrides to check with them, e.g. --set weeks=52."),
) -> None:
    """Check scenario files without running them; exit status 2 if any is invalid.

    Example: lesim validate scenarios/*.yaml
    """
    bad = 0
    for f in files:
        try:
            sc = load_scenario(f, list(set_))
            out_console.print(f"[green]ok[/] {f} ({sc.name})", highlight=False)
        except ScenarioError as e:
            err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
            bad += 1
    if bad:
        raise typer.Exit(2)


@app.command()
def schema(
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of printing."),
) -> None:
    """Print the JSON Schema of the scenario format (for editor autocompletion).

    Example: lesim schema --out scenario.schema.json  (then point your editor's YAML plugin at it)
    """
    from .scenario import Scenario

    text = json.dumps(Scenario.model_json_schema(), indent=2)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        try:
            out.write_text(text + "\n")
        except OSError as e:
            fail(f"{out}: cannot write ({e.strerror or e})")
        out_console.print(f"Wrote {out}")


@app.command()
def parameters(
    kind: Optional[str] = typer.Option(None, "--kind", help="Only 'lever', 'uncertainty' or 'setting'."),
) -> None:
    """List every scenario parameter with its default, range, unit and source.

    Example: lesim parameters --kind lever
    """
    from .parameters import iter_parameters
    from .scenario import Scenario

    table = Table(title="Scenario parameters")
    for col in ("path", "default", "range", "unit", "kind", "source"):
        table.add_column(col)
    for p in iter_parameters(Scenario):
        if kind and p.kind != kind:
            continue
        rng = "" if p.low is None and p.high is None else f"{p.low if p.low is not None else ''}…{p.high if p.high is not None else ''}"
        table.add_row(p.path, str(p.default), rng, p.unit, p.kind, p.source)
    out_console.print(table)


@app.command()
def sweep(
    experiment: Path = typer.Argument(..., help="Experiment YAML file, e.g. experiments/strategy_comparison.yaml."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Local worker processes (default: all cores)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler, e.g. "
                                            "tcp://10.0.0.5:8786 (needs `pip install .[distributed]`)."),
    replicates: Optional[int] = typer.Option(None, "--replicates", min=1, help="Override the replicates, for a quick "
                                             "trial, e.g. --replicates 2."),
    weeks: Optional[int] = typer.Option(None, "--weeks", min=1, help="Override the horizon, e.g. --weeks 52."),
    out: Optional[Path] = typer.Option(None, "--out", help="Results folder (default results/<experiment-name>/); "
                                       "running again resumes: stored runs are skipped."),
) -> None:
    """Run every strategy × uncertainty point × replicate of an experiment, in parallel, resumably.

    Example: lesim sweep experiments/strategy_comparison.yaml --workers 2 --replicates 2
    """
    from rich.progress import ProgressColumn
    from rich.text import Text

    from .experiments.spec import load_experiment
    from .experiments.sweep import default_out, sweep as run_sweep

    try:
        exp = load_experiment(experiment, replicates=replicates, weeks=weeks)
    except ScenarioError as e:
        fail(str(e))
    out_dir = out if out is not None else default_out(exp)
    check_writable(out_dir)

    class Counts(ProgressColumn):
        def render(self, task):
            f = task.fields
            rate = f.get("rate", 0.0)
            return Text(f"done {f.get('done', 0)}  failed {f.get('failed', 0)}  skipped {f.get('skipped', 0)}  "
                        f"{rate:.2f} runs/s")

    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), Counts(),
                        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=err_console)
    import time as _time

    started = _time.perf_counter()
    state: dict = {}

    def on_start(planned: int, n_workers: int) -> None:
        out_console.print(f"[bold]{exp.spec.name}[/]: {planned} runs, {n_workers} workers, results in {out_dir}")
        state["task"] = progress.add_task(exp.spec.name, total=planned)

    def on_update(stats) -> None:
        if "task" in state:
            elapsed = max(_time.perf_counter() - started, 1e-9)
            progress.update(state["task"], completed=stats.done + stats.failed + stats.skipped, done=stats.done,
                            failed=stats.failed, skipped=stats.skipped, rate=(stats.done + stats.failed) / elapsed)

    try:
        with progress:
            stats = run_sweep(exp, out_dir, workers=workers, scheduler=scheduler, on_update=on_update,
                              on_start=on_start)
    except ScenarioError as e:
        fail(str(e))
    except (OSError, ValueError, TimeoutError) as e:
        fail(f"{scheduler or 'local workers'}: cannot start the sweep: {e}")
    out_console.print(f"{stats.done} runs done, {stats.skipped} already stored, {stats.failed} failed "
                      f"(of {stats.planned}); results in {out_dir}/runs")
    for line in stats.failures[:20]:
        err_console.print(f"  failed: {line}", highlight=False)
    if stats.failures:
        err_console.print(f"  tracebacks: {out_dir}/errors/")
    if stats.interrupted:
        err_console.print("interrupted: run the same command again to resume")
        raise typer.Exit(130)
    if stats.failed:
        raise typer.Exit(1)


@app.command()
def compare(
    sweep_dir: Path = typer.Argument(..., help="A folder written by `lesim sweep`, e.g. results/strategy_comparison."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="Strategy to compare against (default: the "
                                           "experiment's baseline)."),
    outcome: List[str] = typer.Option([], "--outcome", help="Outcome(s) to compare (default: all measured), "
                                      "e.g. --outcome skills_gap --outcome roi."),
    week: Optional[int] = typer.Option(None, "--week", help="Measured week to compare at (default: the last)."),
) -> None:
    """Compare strategies with paired statistics; writes comparison.csv and comparison.html.

    Example: lesim compare results/strategy_comparison --outcome skills_gap --outcome roi
    """
    from .experiments.compare import POOLED, CompareError, compare as run_compare

    try:
        table, runs, experiment = run_compare(sweep_dir, baseline, list(outcome) or None, week)
    except CompareError as e:
        fail(str(e))
    base = baseline or experiment.get("baseline", "baseline")
    first = next(u for u in table["uncertainty"] if u != POOLED) if (table["uncertainty"] != POOLED).any() else POOLED
    for o in dict.fromkeys(table["outcome"]):
        sub = table[(table["uncertainty"] == first) & (table["outcome"] == o)]
        t = Table(title=f"{o} at week {int(sub['week'].iloc[0])} ({first}; vs {base})")
        for col in ("strategy", "mean [95% CI]", "Δ vs baseline [95% CI]", "d_z", "p adj", "P(best)"):
            t.add_column(col, justify="left" if col == "strategy" else "right")
        for r in sub.itertuples():
            t.add_row(r.strategy, f"{r.mean:.4g} [{r.ci_low:.4g}, {r.ci_high:.4g}]",
                      "–" if r.strategy == base else f"{r.diff:+.4g} [{r.diff_low:+.4g}, {r.diff_high:+.4g}]",
                      "–" if r.strategy == base else f"{r.effect_size:.2f}",
                      "–" if r.p_adj != r.p_adj else f"{r.p_adj:.3g}",
                      "–" if r.prob_best != r.prob_best else f"{r.prob_best:.2f}")
        out_console.print(t)
    notes = set(table["note"]) - {""}
    for n in notes:
        err_console.print(f"[yellow]note:[/] {n}")
    ratio = table.loc[table["strategy"] != base, "variance_ratio"].median()
    if ratio == ratio:
        out_console.print(f"Pairing on common random numbers: median variance ratio {ratio:.2f} "
                          "(paired differences vs independent runs).")
    out_console.print(f"Wrote {sweep_dir / 'comparison.csv'} and {sweep_dir / 'comparison.html'}")


@app.command()
def sensitivity(
    target: Path = typer.Argument(..., help="A sweep folder, or an experiment file with a morris/sobol design "
                                  "(it is swept first, resuming what is stored)."),
    outcome: List[str] = typer.Option([], "--outcome", help="Outcome(s) to analyse (default: all measured)."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Local workers if a sweep is needed."),
    out: Optional[Path] = typer.Option(None, "--out", help="Sweep folder for an experiment file (default "
                                       "results/<experiment-name>/)."),
) -> None:
    """Morris or Sobol sensitivity (SALib) with CIs, and which assumptions change the strategy ranking.

    Example: lesim sensitivity experiments/sensitivity.yaml --workers 2
    """
    from .experiments.compare import CompareError
    from .experiments.sensitivity import analyse, write_outputs

    folder = target
    if not target.is_dir():
        from .experiments.spec import load_experiment
        from .experiments.sweep import default_out, sweep as run_sweep

        try:
            exp = load_experiment(target)
        except ScenarioError as e:
            fail(str(e))
        if exp.spec.design.type not in ("morris", "sobol"):
            fail(f"{target}: sensitivity needs a morris or sobol design; this experiment's design is "
                 f"{exp.spec.design.type!r}")
        unknown = [o for o in outcome if o not in exp.spec.measure.outcomes]
        if unknown:
            fail(f"--outcome {unknown[0]}: not measured by {target}; measured: {', '.join(exp.spec.measure.outcomes)}")
        folder = out if out is not None else default_out(exp)
        out_console.print(f"sweeping {exp.spec.name} into {folder} (stored runs are kept) …")
        try:
            stats = run_sweep(exp, folder, workers=workers)
        except ScenarioError as e:
            fail(str(e))
        if stats.interrupted:
            raise typer.Exit(130)
    try:
        indices, ranking, _experiment = analyse(folder, list(outcome) or None)
    except CompareError as e:
        fail(str(e))
    write_outputs(folder, indices, ranking, _experiment)
    key = "mu_star" if "mu_star" in indices else "ST"
    for (strategy, o), g in indices.groupby(["strategy", "outcome"]):
        top = g.sort_values(key, ascending=False).head(3)
        conf = f"{key}_conf" if key == "ST" else "mu_star_conf"
        parts = ", ".join(f"{r.parameter} {getattr(r, key):.3g}±{getattr(r, conf):.2g}" for r in top.itertuples())
        out_console.print(f"{o} / {strategy}: {parts}", highlight=False)
    changing = ranking[ranking["changes_ranking"]] if not ranking.empty else ranking
    if changing.empty:
        out_console.print("No single assumption changes which strategy is best.")
    else:
        t = Table(title="Assumptions that change which strategy is best")
        for col in ("parameter", "outcome", "best when low", "best when high"):
            t.add_column(col)
        for r in changing.itertuples():
            t.add_row(r.parameter, r.outcome, str(r.best_when_low), str(r.best_when_high))
        out_console.print(t)
    out_console.print(f"Wrote {folder / 'sensitivity.csv'}, {folder / 'ranking_sensitivity.csv'}, "
                      f"{folder / 'sensitivity.html'}")


@app.command()
def dashboard(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario to open (default: the first of the folders, "
                                              "baseline if present)."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind; 127.0.0.1 keeps the page on this "
                             "machine (use 0.0.0.0 only on a trusted network)."),
    scenarios_dir: List[Path] = typer.Option([], "--scenarios", help="Folder(s) of scenario files the page may open "
                                             "(default: ./scenarios and the given scenario's folder)."),
    results_dir: List[Path] = typer.Option([], "--results", help="Folder(s) of sweep results to view "
                                           "(default: ./results)."),
) -> None:
    """Explore strategies live in the browser (Solara): controls, Step/Play/Reset, charts, comparison, export.

    Example: lesim dashboard scenarios/mentoring_programme.yaml --port 8765  (then open http://127.0.0.1:8765)
    """
    from .dashboard.server import serve

    folders = list(scenarios_dir) or [Path("scenarios")]
    initial = "baseline"
    if scenario is not None:
        try:
            load_scenario(scenario)
        except ScenarioError as e:
            fail(str(e))
        if scenario.parent.resolve() not in [f.resolve() for f in folders]:
            folders.append(scenario.parent)
        initial = scenario.stem
    for f in folders:
        if not f.is_dir():
            fail(f"{f}: no such folder of scenarios")
    out_console.print(f"Serving the dashboard on http://{host}:{port} (Ctrl-C to stop)")
    raise typer.Exit(serve(folders, list(results_dir) or [Path("results")], initial, host, port))


from enum import Enum  # noqa: E402  (choices of the march command)


class MarchSocialisation(str, Enum):
    gradual = "gradual"
    immediate = "immediate"


class MarchSuperior(str, Enum):
    performance = "performance"
    knowledge = "knowledge"


class MarchKRule(str, Enum):
    footnote = "footnote"
    majority = "majority"


@app.command()
def march(
    p1: Optional[float] = typer.Option(None, "--p1", min=0.0, max=1.0, help="Socialisation rate (default 0.5)."),
    p2: Optional[float] = typer.Option(None, "--p2", min=0.0, max=1.0, help="Code learning rate (default 0.5)."),
    p3: Optional[float] = typer.Option(None, "--p3", min=0.0, max=1.0, help="Turnover per period (default 0)."),
    p4: Optional[float] = typer.Option(None, "--p4", min=0.0, max=1.0, help="Turbulence per period (default 0)."),
    fast: Optional[int] = typer.Option(None, "--fast", min=0, max=10_000, help="How many individuals socialise at "
                                       "--p1-fast instead of --p1 (a mixed population; default 0)."),
    p1_fast: Optional[float] = typer.Option(None, "--p1-fast", min=0.0, max=1.0, help="Socialisation rate of the "
                                            "fast learners (default 0.9)."),
    periods: Optional[int] = typer.Option(None, "--periods", min=1, max=100_000, help="Report code knowledge measured "
                                          "in period N; without it, run each replication to equilibrium (needs p3 = "
                                          "p4 = 0)."),
    max_periods: int = typer.Option(2000, "--max-periods", min=1, max=100_000, help="Cap of a run to equilibrium."),
    replications: Optional[int] = typer.Option(None, "--replications", min=1, max=1_000_000,
                                               help="Independent replications (default 1000)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, max=2**63 - 1, help="Seed (default 0); the same seed "
                                       "gives the same result."),
    socialisation: Optional[MarchSocialisation] = typer.Option(None, "--socialisation", help="gradual: opposite → 0 → code (March's code, default); immediate: straight "
                                        "to the code."),
    superior: Optional[MarchSuperior] = typer.Option(None, "--superior", help="Superior group by the performance of actions (0 = coin flip; "
                                                "March's code, default) or by knowledge."),
    k_rule: Optional[MarchKRule] = typer.Option(None, "--k-rule", help="Footnote 1's k: differing − agreeing members (as written, default) or "
                                              "dominant − opposite view holders (recreations of March's code)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (mean_code_knowledge, se, "
                                 "replications and the settings)."),
    experiment: Optional[Path] = typer.Option(None, "--experiment", help="Run a March experiment file instead, "
                                              "e.g. experiments/march_learning_rates.yaml; writes CSV and PNG."),
    out: Path = typer.Option(Path("results") / "march", "--out", help="Folder for --experiment outputs."),
) -> None:
    """March (1991) exploration/exploitation docking model: mean code knowledge ± standard error.

    Example: lesim march --p1 0.1 --p2 0.9 --replications 2000 --seed 1
    """
    from pydantic import ValidationError

    from .loader import format_error
    from .parameters import LOCATION_SEP
    from .validation.experiments import load_experiment, run_experiment, write_outputs
    from .validation.march import MarchSettings, run as run_march

    given = {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "n_fast": fast, "p1_fast": p1_fast,
             "socialisation": socialisation.value if socialisation else None,
             "superior": superior.value if superior else None, "k_rule": k_rule.value if k_rule else None}
    if experiment is not None:
        flags = [f"--{k.replace('_', '-')}" for k, v in given.items() if v is not None] + (
            ["--periods"] if periods is not None else [])
        if flags:
            fail(f"{flags[0]}: settings come from the experiment file with --experiment (only --replications, "
                 "--seed and --out apply)")
        try:
            exp = load_experiment(experiment)
        except ScenarioError as e:
            fail(str(e))
        check_writable(out)
        err_console.print(f"{exp.spec.name}: {len(exp.points)} points × "
                          f"{replications or exp.spec.replications:,} replications")
        result = run_experiment(exp, replications=replications, seed=seed)
        for path in write_outputs(result, out):
            out_console.print(f"Wrote {path}", highlight=False)
        return
    try:
        settings = MarchSettings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key, message = (str(err["loc"][0]) if err["loc"] else ""), format_error(err, MarchSettings)
        if LOCATION_SEP in message:
            key, message = message.split(LOCATION_SEP)[-2:]
        fail(f"--{'fast' if key == 'n_fast' else key.replace('_', '-')}: {message}")
    if periods is None and not settings.closed:
        fail("--p3/--p4: with turnover or turbulence there is no equilibrium; give --periods N "
             "(March reports period 20 for turnover)")
    result = run_march(settings, replications=replications or 1000, seed=seed or 0, periods=periods,
                       max_periods=max_periods)
    summary = result.summary()
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
        return
    where = "at equilibrium" if periods is None else f"in period {periods}"
    out_console.print(f"code knowledge {where}: {summary['mean_code_knowledge']:.4f} ± {summary['se']:.4f} (SE; "
                      f"{result.replications:,} replications, seed {result.seed})", highlight=False)
    out_console.print(f"code score Σ code·reality/m: {summary['mean_code_score']:.4f} ± {summary['se_code_score']:.4f}; "
                      f"mean individual knowledge {summary['mean_individual_knowledge']:.4f}", highlight=False)
    if periods is None:
        out_console.print(f"reached equilibrium: {summary['reached_equilibrium']:,} of {result.replications:,} "
                          f"(mean {summary['mean_periods']:.1f} periods, longest {summary['max_periods_run']})",
                          highlight=False)
    out_console.print(f"settings: p1={settings.p1:g} p2={settings.p2:g} p3={settings.p3:g} p4={settings.p4:g} "
                      f"fast={settings.n_fast} (p1_fast={settings.p1_fast:g}) m={settings.m} n={settings.n} "
                      f"socialisation={settings.socialisation} superior={settings.superior} k_rule={settings.k_rule}",
                      highlight=False, soft_wrap=True)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

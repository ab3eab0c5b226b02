"""The ``lesim`` command line: parses arguments and prints (with :mod:`sim.terminal`). The
work is done by library functions: :mod:`sim.run` (a run), :mod:`sim.experiments` (sweep,
compare, sensitivity), :mod:`sim.validation.workflow` (March), :mod:`sim.parameters`.

User mistakes (a bad scenario, a bad ``--set``, an occupied output folder) print one line
on stderr and exit with status 2; nothing is written.
"""

from __future__ import annotations

import json
import sys
import warnings
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, List, Optional

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError  # Typer 0.2x vendors Click here
from typer.core import TyperGroup
from rich.text import Text

from .loader import ScenarioError, load_scenario
from .terminal import (SweepProgress, check_writable, err_console, error_line, fail, out_console, paragraph,
                       report_sweep, say, show_table, user_errors, week_progress)

DEFAULT_REPLICATES = 5  # an incremental figure, or any outcome of a small organisation, needs an interval: 5
# seeds give a t interval (4 df) and take ~15 s for the 500-person baseline
SMALL_ORGANISATION = 2_000  # up to this size a plain `lesim run` defaults to DEFAULT_REPLICATES seeds: one
# seed's noise is of the order of a strategy's effect there (the baseline's year-5 skills gap varies by about
# ±4 % across seeds at 500 people); larger organisations keep one seed unless --replicates is given

class OneLineErrors(TyperGroup):
    """The command group with Click's own mistakes (an unknown option, a value that is not a
    number, a missing argument) printed like every other user mistake: one line
    ``error: …`` on stderr and exit status 2, instead of Typer's boxed usage message.
    ``lesim`` alone still prints the help."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except NoArgsIsHelpError as e:
            e.show()
            sys.exit(e.exit_code)
        except ClickException as e:
            where = e.ctx.command_path if getattr(e, "ctx", None) is not None else "lesim"
            error_line(f"{where}: {' '.join(e.format_message().split())} (see {where} --help)")
            sys.exit(e.exit_code)
        except typer.Abort:
            error_line("interrupted")
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(name="lesim", cls=OneLineErrors, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False,
                  help="Simulate an organisation's learning ecosystem and test L&D strategies before rolling them "
                  "out.\n\nExample: lesim run scenarios/baseline.yaml --weeks 104 "
                  "--set policies.mentoring.enabled=true")


def check_option(option: str, value: int | None, path: str) -> None:
    """Refuse an option that sets a scenario field (``--seed``, ``--weeks``) outside the
    field's declared range, naming the option as the user wrote it."""
    from .loader import _num
    from .parameters import field_bounds
    from .scenario import Scenario

    low, high = field_bounds(Scenario, (path,))
    if value is not None and not low <= value <= high:
        fail(f"{option}: must be between {_num(low)} and {_num(high)}, got {value}")


@contextmanager
def finite_outcomes(scenario: Path) -> Iterator[None]:
    """Around a run: an infinite or undefined outcome (:class:`~sim.outcomes.NonFiniteOutcome`)
    is a one-line error naming the scenario, the week and the outcome (exit status 2,
    nothing written), and the arithmetic warnings on the way there are not shown; a run
    that finishes shows its warnings as usual."""
    from .outcomes import NonFiniteOutcome

    with warnings.catch_warnings(record=True) as caught:
        try:
            yield
        except NonFiniteOutcome as e:
            fail(f"{scenario}: {e}")
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)


class RecordsFormat(str, Enum):
    xapi = "xapi"


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/baseline.yaml."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Override the scenario's seed, e.g. --seed 7."),
    weeks: Optional[int] = typer.Option(None, "--weeks", help="Override the horizon in weeks, e.g. --weeks 52."),
    set_: List[str] = typer.Option([], "--set", help="Override any parameter by its key path, validated like the file; "
                                   "repeatable, e.g. --set policies.mentoring.ratio=0.3 --set culture.growth_mindset=0.6."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (must be new or empty); default "
                                       "results/<scenario-name>/<UTC timestamp>/."),
    against: Optional[Path] = typer.Option(None, "--against", help="Counterfactual scenario (same organisation and "
                                           "valuation), e.g. scenarios/baseline.yaml: both run on the same seeds and "
                                           "the incremental NPV, ROI and payback are reported. --seed, --weeks "
                                           "and --set apply to both (the strategy is what the two files differ by)."),
    replicates: Optional[int] = typer.Option(None, "--replicates", help="Seeds seed, seed+1, …: "
                                             "outcomes (and incremental figures) as mean and 95 % interval. Default "
                                             f"{DEFAULT_REPLICATES} with --against or for organisations of up to "
                                             f"{SMALL_ORGANISATION:,} people, else 1."),
    records: Optional[RecordsFormat] = typer.Option(None, "--records", help="Also write the first seed's "
                                                    "learning activity as learning records: xapi writes xapi.jsonl, "
                                                    "one xAPI 1.0.3 statement a line (people by id, never by name)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run a scenario: tables (CSV), summary, manifest, charts (PNG) and a one-file HTML report.

    Example: lesim run scenarios/mentoring_programme.yaml --against scenarios/baseline.yaml --replicates 6"""
    from . import economics
    from .run import (Comparison, OutputError, budget_lines, headline_rows, prepare_run, replicate_rows, simulate_seeds,
                      write_outputs)

    if replicates is not None and not 1 <= replicates <= 10_000:
        fail(f"--replicates: must be between 1 and 10,000, got {replicates}")
    check_option("--seed", seed, "seed")
    check_option("--weeks", weeks, "weeks")
    with user_errors():
        sc, out_dir = prepare_run(scenario, set_, seed=seed, weeks=weeks, out=out)
        if against is not None:
            cf = load_scenario(against, [*set_, f"seed={sc.seed}", *([f"weeks={weeks}"] if weeks is not None else [])])
            economics.check_counterfactual(sc, cf, (str(scenario), str(against)))
    from .scenario import late_events

    for i, ev in late_events(sc):
        say(("note:", "yellow"), f" events[{i}] ({ev.type}, week {ev.week}) falls after the horizon (week {sc.weeks}): "
            "it does not happen in this run", err=True)
    n = replicates if replicates is not None else (
        DEFAULT_REPLICATES if against is not None or sc.organisation.size <= SMALL_ORGANISATION else 1)
    check_writable(out_dir.parent)
    seeds = f"seed {sc.seed}" if n == 1 else f"seeds {sc.seed}–{sc.seed + n - 1}"
    vs = (" against ", (cf.name, "bold")) if against is not None else ()
    say((sc.name, "bold"), *vs, f": {sc.organisation.size:,} people, {sc.weeks} weeks, {seeds}")
    arms = 2 if against is not None else 1
    with week_progress(arms * n * sc.weeks, quiet) as progress, finite_outcomes(scenario):
        results = simulate_seeds(sc, n, progress=progress, records=records.value if records else None)
        comparison = None
        if against is not None:
            done = n * sc.weeks
            with finite_outcomes(against):
                comparison = Comparison.of(results, simulate_seeds(cf, n, progress=lambda w, t: progress(done + w,
                                                                                                          t)))
    result = results[0]
    try:
        write_outputs(result, out_dir, replicates=results, against=comparison)
        unwritten = None
    except OutputError as e:  # a fault, not a mistake: the figures are still shown, then one line and status 1
        unwritten = str(e)
    if n == 1:
        show_table(f"Headline outcomes ({sc.name})", ("Outcome", "Unit", "Week 0/1", f"Week {sc.weeks}"),
                   headline_rows(result), right=lambda col: col.startswith("Week"))
        say(("note:", "yellow"), f" one seed, no interval; --replicates {DEFAULT_REPLICATES} gives each "
            "outcome as mean and 95 % interval", err=True)
    else:
        show_table(f"Headline outcomes ({sc.name}, week {sc.weeks}, {n} seeds)", ("Outcome", "Unit",
                   "Mean [95 % t interval]"), replicate_rows(results), right=lambda col: col.startswith("Mean"))
    if comparison is not None:
        s = comparison.summary
        show_table(f"Incremental economics: {sc.name} against {cf.name} (present value at week 0, {n} paired seeds)",
                   ("Figure", "Mean [95 % t interval over seeds]"), economics.summary_rows(s))
    over = bool(result.budget["over_budget"].any())
    say(("Budget", "bold"), f" ({sc.governance.budget_mode}, ${sc.governance.annual_budget_per_employee:,.0f}"
        f"/employee/year{', seed ' + str(sc.seed) if n > 1 else ''}):")
    for line in budget_lines(result):
        say("  ", (line, "bold red" if "OVER BUDGET" in line else ""))
    if over:
        say(("warning:", "bold red"), " direct L&D spend exceeds the budget (see governance.csv and the "
            "report); raise governance.annual_budget_per_employee or use budget_mode: hard", err=True)
    say("Valuation (edit in the scenario files; `lesim parameters` lists them):")
    for line in economics.assumption_lines(economics.assumptions(sc)):
        say(f"  {line}")
    if comparison is None:
        say("What a strategy pays back needs a counterfactual: add --against BASELINE.yaml.")
    wall = sum(r.wall_seconds for r in results) + (sum(r.wall_seconds for r in comparison.runs) if comparison else 0)
    if unwritten is not None:
        fail(unwritten, 1)
    say("Wrote results to ", (str(out_dir), "bold"), f" ({wall:.1f} s)")


@app.command()
def validate(
    files: List[Path] = typer.Argument(..., help="Scenario files to check, e.g. scenarios/*.yaml."),
    set_: List[str] = typer.Option([], "--set", help="Overrides to check with them, e.g. --set weeks=52."),
) -> None:
    """Check scenario files without running them; exit status 2 if any is invalid.

    Example: lesim validate scenarios/*.yaml"""
    bad = 0
    for f in files:
        try:
            sc = load_scenario(f, list(set_))
            say(("ok", "green"), f" {f} ({sc.name})")
        except ScenarioError as e:
            error_line(str(e))
            bad += 1
    if bad:
        raise typer.Exit(2)


@app.command("check")
def check_patterns(
    scenario: Path = typer.Argument(..., help="A status-quo scenario file, e.g. scenarios/baseline.yaml."),
    set_: List[str] = typer.Option([], "--set", help="Override any parameter by its key path, e.g. "
                                   "--set learning.transfer_rate=0.4; repeatable."),
    seeds: int = typer.Option(4, "--seeds", min=1, max=100, help="Seeds to run (the scenario's seed and the next "
                              "ones); more seeds, less noise."),
    weeks: Optional[int] = typer.Option(None, "--weeks", help="Horizon of the status-quo runs (default: the "
                                        "scenario's; at least 104)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: every pattern's value, band, "
                                 "pass/fail and source."),
) -> None:
    """Calibration that can fail: measure the scenario against published patterns; exit status 1 if any fails.

    Patterns: ATD hours and spend, turnover, decay half-life of unused skill, transfer over a year (Saks &
    Belcourt), new hires' time to proficiency, the share of skill learned formally, the growth-mindset effect
    (two-sided) and a stationary status quo. About 6 s per seed for the baseline (260 weeks) on one core.

    Example: lesim check scenarios/baseline.yaml --seeds 4"""
    import time

    from .validation.patterns import MIN_WEEKS, check, format_measure

    with user_errors():
        sc = load_scenario(scenario, list(set_))
    n_weeks = sc.weeks if weeks is None else weeks
    if n_weeks < MIN_WEEKS:
        given = "--weeks" if weeks is not None else f"{scenario}: weeks"
        fail(f"{given} {n_weeks}: too short for the patterns; give --weeks {MIN_WEEKS} or more")
    if not as_json:
        err_console.print(f"{sc.name}: {seeds} seed{'s' if seeds > 1 else ''} × {n_weeks} weeks "
                          "(+ paired one-year experiments) …")
    start = time.perf_counter()
    with user_errors(ValueError):
        results = check(sc, seeds=seeds, weeks=n_weeks)
    seconds = time.perf_counter() - start
    failed = [r.name for r in results if not r.passed]
    if as_json:
        sys.stdout.write(json.dumps({"scenario": sc.name, "seeds": [sc.seed + i for i in range(seeds)],
                                     "weeks": n_weeks, "passed": not failed, "failed": failed,
                                     "patterns": [r.as_dict() for r in results],
                                     "wall_seconds": round(seconds, 2)}) + "\n")
    else:
        rows = [(r.label, format_measure(r.value, r.unit),
                 f"{format_measure(r.low, r.unit)} – {format_measure(r.high, r.unit)}",
                 Text("pass", "green") if r.passed else Text("FAIL", "bold red"), r.source) for r in results]
        show_table(f"Calibration patterns ({sc.name})", ("Pattern", "Measured", "Band", "Result", "Source"), rows,
                   right=lambda col: col in ("Measured", "Band"))
        out_console.print(f"{len(results) - len(failed)} of {len(results)} patterns pass "
                          f"({seeds} seed{'s' if seeds > 1 else ''}, {n_weeks} weeks, {seconds:.1f} s)."
                          + (f" Failed: {', '.join(failed)}." if failed else ""), highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def calibrate(
    scenario: Path = typer.Argument(..., help="The scenario to fit, run as given, e.g. scenarios/baseline.yaml."),
    targets: Path = typer.Option(..., "--targets", help="YAML file of the organisation's observed figures: "
                                 "targets: {turnover: {value: 0.161, interval: [0.143, 0.180]}}; optionally fit: and a "
                                 "list of the uncertainties to fit."),
    out: Optional[Path] = typer.Option(None, "--out", help="Fitted scenario to write (default: <scenario file "
                                       "stem>_calibrated.yaml beside the targets file, or beside an imported "
                                       "organisation's tables); never an input, and an existing file only if an "
                                       "earlier calibration wrote it."),
    seeds: Optional[int] = typer.Option(None, "--seeds", min=1, max=100, help="Seeds every candidate runs on (the "
                                        "scenario's seed and the next ones; common random numbers). Default 4."),
    weeks: Optional[int] = typer.Option(None, "--weeks", min=52, max=5200, help="Horizon of each run; targets are "
                                        "compared with the last year's mean. Default 104."),
    budget: Optional[int] = typer.Option(None, "--budget", min=1, max=1000, help="Most model evaluations (each one "
                                         "run per seed; the start counts). Default 30 (two passes of the search): "
                                         "about 3 minutes for the 500-person baseline on one core."),
    set_: List[str] = typer.Option([], "--set", help="Override any parameter by its key path (written into the "
                                   "fitted scenario too), e.g. --set organisation.size=1470; repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: every target, parameter and the fit."),
) -> None:
    """Fit the scenario's uncertainties, within their plausible ranges, to your organisation's own figures;
    write the fitted scenario; exit status 1 if a target stays outside its observed interval.

    Each target (an outcome such as turnover or learning_hours) is compared with the outcome's mean over the
    last year of the run, averaged over the seeds; every candidate runs on the same seeds. Without fit: in the
    targets file, each target fits the uncertainty that moves it most (sim/calibrate.py DEFAULT_FIT).

    Example: lesim calibrate scenarios/baseline.yaml --targets my_org/targets.yaml --seeds 4"""
    from . import calibrate as cal
    from .scenario import late_events

    n_seeds = cal.DEFAULT_SEEDS if seeds is None else seeds
    n_weeks = cal.DEFAULT_WEEKS if weeks is None else weeks
    n_budget = cal.DEFAULT_BUDGET if budget is None else budget
    with user_errors():
        prep = cal.prepare(scenario, targets, list(set_), out)
    sc, tg = prep.scenario, prep.targets
    for i, ev in late_events(sc.model_copy(update={"weeks": n_weeks})):
        say(("note:", "yellow"), f" events[{i}] ({ev.type}, week {ev.week}) falls after the calibration's horizon "
            f"(week {n_weeks}): it does not happen in these runs", err=True)
    if not as_json:
        err_console.print(f"{sc.name}: fitting {', '.join(p.path for p in tg.fit)} to "
                          f"{', '.join(t.outcome for t in tg.targets)}: {n_seeds} seed{'s' if n_seeds > 1 else ''} "
                          f"× {n_weeks} weeks, at most {n_budget} evaluations …")
    with week_progress(n_budget * n_seeds * n_weeks, quiet=as_json) as progress, finite_outcomes(scenario):
        with user_errors():
            result = cal.calibrate(sc, tg.targets, tg.fit, seeds=n_seeds, weeks=n_weeks, budget=n_budget,
                                   progress=progress)
    kept, unwritten = False, None
    try:
        text, kept = cal.fitted_text(prep, result)
        cal.write_fitted(prep.out, text)
    except (OSError, ScenarioError) as e:  # a fault, not a mistake: figures shown, then one line and status 1
        unwritten = f"{prep.out}: cannot write the fitted scenario ({getattr(e, 'strerror', None) or e})"
    ok = result.within
    if as_json:
        sys.stdout.write(json.dumps({**result.as_dict(), "scenario_file": str(scenario), "targets_file": str(targets),
                                     "out": None if unwritten else str(prep.out), "comments_kept": kept}) + "\n")
    else:
        rows = []
        for j, t in enumerate(result.targets):
            m0 = result.start.interval(j)[0]
            m, lo, hi = result.best.interval(j)
            fitted = cal.format_target(t, m) + (f" [{cal.format_target(t, lo)}, {cal.format_target(t, hi)}]"
                                                 if lo == lo else "")
            rows.append((t.outcome, t.unit,
                         f"{cal.format_target(t, t.value)} [{cal.format_target(t, t.low)}, "
                         f"{cal.format_target(t, t.high)}]" + (" ±10 %" if t.default_interval else ""),
                         cal.format_target(t, m0), fitted,
                         Text("within", "green") if ok[j] else Text("outside", "bold red"), t.source))
        show_table(f"Calibration targets ({sc.name}, last-year mean of weeks {n_weeks - 51}–{n_weeks}, "
                   f"{n_seeds} seeds)", ("Target", "Unit", "Observed [interval]", "Start",
                                         "Fitted [95 % t]", "Result", "Source"), rows,
                   right=lambda col: col in ("Observed [interval]", "Start", "Fitted [95 % t]"))
        show_table("Fitted uncertainties", ("Parameter", "Unit", "Plausible range", "Start", "Fitted"),
                   [(p.path, p.unit, f"{p.plausible[0]:g} – {p.plausible[1]:g}", f"{s:g}", f"{v:g}")
                    for p, s, v in zip(result.params, result.start.values, result.best.values)],
                   right=lambda col: col in ("Plausible range", "Start", "Fitted"))
        within_n = sum(ok)
        out_console.print(f"{within_n} of {len(ok)} targets within ({len(result.evaluations)} evaluations, "
                          f"{'budget spent' if result.stopped == 'budget' else 'converged'}; objective "
                          f"{result.start.objective:.3g} → {result.best.objective:.3g}; {result.seconds:.1f} s)."
                          + (f" Outside: {', '.join(result.outside)}." if not all(ok) else ""), highlight=False)
        if unwritten is None:
            out_console.print(f"Wrote the fitted scenario to {prep.out}"
                              + ("" if kept else " (as clean YAML: the file could not be edited line by line)"),
                              highlight=False)
    if unwritten is not None:
        fail(unwritten, 1)
    if not all(ok):
        raise typer.Exit(1)


@app.command()
def schema(
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of printing."),
) -> None:
    """Print the JSON Schema of the scenario format (for editor autocompletion).

    Example: lesim schema --out scenario.schema.json  (then point your editor's YAML plugin at it)"""
    from .scenario import Scenario

    text = json.dumps(Scenario.model_json_schema(), indent=2)
    if out is None:
        sys.stdout.write(text + "\n")
        return
    try:
        out.write_text(text + "\n")
    except OSError as e:
        fail(f"{out}: cannot write ({e.strerror or e})")
    say(f"Wrote {out}")


class ParameterFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def parameters(
    kind: Optional[str] = typer.Option(None, "--kind", help="Only 'lever', 'uncertainty' or 'setting'."),
    format_: ParameterFormat = typer.Option(ParameterFormat.table, "--format", help="table (terminal), csv (for "
                                            "Excel: UTF-8 with BOM) or json (a list of objects)."),
) -> None:
    """List every scenario parameter with its default, range, plausible range, unit and source.

    Example: lesim parameters --kind uncertainty --format csv > parameters.csv"""
    from .parameters import parameter_records, parameters_csv, parameters_json, parameters_table
    from .scenario import Scenario

    records = parameter_records(Scenario, kind)
    if format_ is ParameterFormat.json:
        sys.stdout.write(parameters_json(records) + "\n")
    elif format_ is ParameterFormat.csv:  # bytes: UTF-8 with a BOM (for Excel) whatever the terminal's encoding
        sys.stdout.flush()
        sys.stdout.buffer.write(parameters_csv(records).encode("utf-8-sig"))
        sys.stdout.buffer.flush()
    else:
        show_table("Scenario parameters", *parameters_table(records))


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

    Example: lesim sweep experiments/strategy_comparison.yaml --workers 2 --replicates 2"""
    from .experiments.spec import load_experiment
    from .experiments.sweep import default_out, sweep as run_sweep

    with user_errors():
        exp = load_experiment(experiment, replicates=replicates, weeks=weeks)
    out_dir = out if out is not None else default_out(exp)
    check_writable(out_dir)
    progress = SweepProgress(exp.spec.name, announce=lambda planned, n_workers: say(
        (exp.spec.name, "bold"), f": {planned} runs, {n_workers} workers, results in {out_dir}"))
    with user_errors(), progress:  # a mistake (status 2) or a SweepError: its status (1 for a full disk)
        stats = run_sweep(exp, out_dir, workers=workers, scheduler=scheduler, on_update=progress.on_update,
                          on_start=progress.on_start)
    report_sweep(stats, out_dir)


@app.command()
def compare(
    sweep_dir: Path = typer.Argument(..., help="A folder written by `lesim sweep`, e.g. results/strategy_comparison."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="Strategy to compare against (default: the "
                                           "experiment's baseline)."),
    outcome: List[str] = typer.Option([], "--outcome", help="Outcome(s) to compare (default: all measured), "
                                      "e.g. --outcome skills_gap --outcome roi."),
    week: Optional[int] = typer.Option(None, "--week", help="Measured week to compare at (default: the last)."),
    criterion: Optional[str] = typer.Option(None, "--criterion", help="What the recommendation maximises: "
                                            "incremental_npv (default, when the runs store the economics) or a "
                                            "measured outcome, e.g. skills_gap."),
) -> None:
    """Compare strategies with paired statistics: prints the decision brief (which strategy to
    fund, how sure, at what cost, where it fails) and writes comparison.csv, comparison.html and
    brief.json (for the dashboard).

    Example: lesim compare results/strategy_comparison"""
    from .experiments import compare as cmp
    from .economics import money
    from .experiments.brief import fmt_prob, no_failure_text, strategy_label
    from .reporting import fmt_diff

    with user_errors(cmp.CompareError):
        table, runs, experiment, brief = cmp.compare(sweep_dir, baseline, list(outcome) or None, week, criterion)
    paragraph(brief.headline)
    paragraph(brief.certainty)
    paragraph(brief.cost)
    if brief.valuation:
        paragraph(f"NPV and ROI rest on: {brief.valuation}.")
    if not brief.fails:
        paragraph(f"Where it fails: {no_failure_text(brief)}")
    for title, items in (("Where it fails", brief.fails), ("What it gives up", brief.tradeoffs),
                         ("Caveats", brief.caveats)):
        if items:
            say(f"{title}:")
            for item in items:
                paragraph(f"- {item}", "  ")
    first = brief.futures[0]
    npv = brief.criterion == "incremental_npv"
    crit = "NPV" if npv else "difference"
    rows = []
    for o in brief.options:
        m, lo, hi = brief.shown(o.by_future[first])
        base = o.strategy == brief.baseline
        text = money if npv else (lambda v: fmt_diff(brief.criterion, v))
        rows.append([strategy_label(o.strategy) + (" *" if o.strategy == brief.recommended else ""),
                     "–" if base else text(m), "–" if base or lo != lo else f"{text(lo)} to {text(hi)}",
                     fmt_prob(o.p_best), cmp.shortfall_text(brief.criterion, o.max_regret)])
    show_table(f"{crit} at week {brief.week} against {strategy_label(brief.baseline)} ({brief.first_label}; "
               "* recommended)",
               ["strategy", crit, "95% interval", brief.probability_label, "shortfall"], rows,
               right=lambda col: col != "strategy", compact=True)
    out_console.print(f"Full comparison: {sweep_dir / 'comparison.html'} (every statistic: "
                      f"{sweep_dir / 'comparison.csv'})", highlight=False, soft_wrap=True)


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

    Example: lesim sensitivity experiments/sensitivity.yaml --workers 2"""
    from .experiments.compare import CompareError
    from .experiments.sensitivity import changing_assumptions, run_sensitivity, top_parameters

    with user_errors(CompareError):
        done = run_sensitivity(target, list(outcome) or None, workers=workers, out=out, on_sweep=lambda name, folder:
                               out_console.print(f"sweeping {name} into {folder} (stored runs are kept) …"))
    if done.interrupted:
        raise typer.Exit(130)
    for line in top_parameters(done.indices):
        out_console.print(line, highlight=False)
    changing = changing_assumptions(done.ranking)
    if changing.empty:
        out_console.print("No single assumption changes which strategy is best.")
    else:
        show_table("Assumptions that change which strategy is best", ("parameter", "outcome", "best when low",
                   "best when high"), [(r.parameter, r.outcome, str(r.best_when_low), str(r.best_when_high))
                                       for r in changing.itertuples()])
    f = done.folder
    out_console.print(f"Wrote {f / 'sensitivity.csv'}, {f / 'ranking_sensitivity.csv'}, {f / 'sensitivity.html'}")


@app.command("import")
def import_(
    people: Optional[Path] = typer.Argument(None, help="People export of your HRIS (CSV, one row per employee)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Scenario folder to write (must be new or empty)."),
    mapping: Optional[Path] = typer.Option(None, "--mapping", help="Column mapping (YAML; start from --template)."),
    key_file: Path = typer.Option(Path("lesim-import.key"), "--key-file", help="Key of the pseudonyms: created "
                                  "with a random key when missing; keep it, outside the output folder, to import "
                                  "again with the same pseudonyms."),
    skills: Optional[Path] = typer.Option(None, "--skills", help="Skills taxonomy (CSV: id, label, code, open)."),
    requirements: Optional[Path] = typer.Option(None, "--requirements", help="Role requirements (CSV: role, skill, "
                                                "level, criticality)."),
    assessments: Optional[Path] = typer.Option(None, "--assessments", help="Skill assessments (CSV: employee, "
                                               "skill, level, date)."),
    completions: Optional[Path] = typer.Option(None, "--completions", help="LMS completions (CSV: employee, item, "
                                               "hours, date, score, skill)."),
    xapi: Optional[Path] = typer.Option(None, "--xapi", help="xAPI statements (JSON array or JSON Lines)."),
    network: Optional[Path] = typer.Option(None, "--network", help="Collaboration edge list (CSV: a, b, weight)."),
    name: Optional[str] = typer.Option(None, "--name", help="Scenario name (default: the folder's name)."),
    min_group: int = typer.Option(5, "--min-group", min=1, max=1000, help="Smallest group of people reports show "
                                  "(smaller departments are suppressed)."),
    template: Optional[Path] = typer.Option(None, "--template", help="Write the default column mapping, "
                                            "explained, to this file and stop."),
) -> None:
    """Build a scenario folder from your organisation's exports (people, skills, learning records, network).

    Example: lesim import hris.csv --mapping mapping.yaml --completions lms.csv --out scenarios/acme
    (then: lesim run scenarios/acme/scenario.yaml)"""
    from .importer.build import ImportProblems, run_import
    from .importer.mapping import load_mapping, template as mapping_template

    if template is not None:
        if template.exists() or template.is_symlink():
            fail(f"{template}: --template: already exists; choose a new file")
        try:
            with open(template, "x", encoding="utf-8") as f:
                f.write(mapping_template())
        except OSError as e:
            fail(f"{template}: --template: cannot write: {e.strerror or e}")
        say("Wrote the default mapping to ", (str(template), "bold"))
        return
    if people is None or out is None:
        fail("lesim import: needs the people export and --out (or --template FILE); see lesim import --help")
    try:
        with user_errors():
            done = run_import(people, out, key_file, load_mapping(mapping), skills=skills,
                              requirements=requirements, assessments=assessments, completions=completions,
                              xapi=xapi, network=network, name=name, min_group=min_group)
    except ImportProblems as e:
        for line in e.lines:
            error_line(line)
        raise typer.Exit(2)
    rep = done["report"]
    say("Imported ", (f"{done['people']:,}", "bold"), " people into ", (str(out), "bold"))
    for line in rep.read:
        say("  read: ", line)
    for line in rep.dropped:
        say("  dropped: ", line)
    for line in rep.assumed:
        say("  assumed: ", line)
    if done["key_created"]:
        say("  created the pseudonym key ", (str(key_file), "bold"), " (keep it; it is not in the folder)")
    say("Next: lesim run ", str(out / "scenario.yaml"),
        *((" · lesim calibrate " + str(out / "scenario.yaml") + " --targets " + str(out / "targets.yaml"),)
          if done["targets"] else ()))


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

    Example: lesim dashboard scenarios/mentoring_programme.yaml --port 8765  (then open http://127.0.0.1:8765)"""
    from .dashboard.server import scenario_folders, serve

    with user_errors():
        folders, initial = scenario_folders(scenario, list(scenarios_dir))
    out_console.print(f"Serving the dashboard on http://{host}:{port} (Ctrl-C to stop)")
    raise typer.Exit(serve(folders, list(results_dir) or [Path("results")], initial, host, port))


# choices of the march command
MarchSocialisation = Enum("MarchSocialisation", {"gradual": "gradual", "immediate": "immediate"}, type=str)
MarchSuperior = Enum("MarchSuperior", {"performance": "performance", "knowledge": "knowledge"}, type=str)
MarchKRule = Enum("MarchKRule", {"footnote": "footnote", "majority": "majority"}, type=str)


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
    socialisation: Optional[MarchSocialisation] = typer.Option(None, "--socialisation", help="gradual: opposite → 0 "
                                                               "→ code (March's code, default); immediate: straight "
                                                               "to the code."),
    superior: Optional[MarchSuperior] = typer.Option(None, "--superior", help="Superior group by the performance of "
                                                     "actions (0 = coin flip; March's code, default) or by knowledge."),
    k_rule: Optional[MarchKRule] = typer.Option(None, "--k-rule", help="Footnote 1's k: differing − agreeing members "
                                                "(as written, default) or dominant − opposite view holders "
                                                "(recreations of March's code)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (mean_code_knowledge, se, "
                                 "replications and the settings)."),
    experiment: Optional[Path] = typer.Option(None, "--experiment", help="Run a March experiment file instead, "
                                              "e.g. experiments/march_learning_rates.yaml; writes CSV and PNG."),
    out: Path = typer.Option(Path("results") / "march", "--out", help="Folder for --experiment outputs."),
) -> None:
    """March (1991) exploration/exploitation docking model: mean code knowledge ± standard error.

    Example: lesim march --p1 0.1 --p2 0.9 --replications 2000 --seed 1"""
    from .validation.workflow import run_experiment_file, run_setting, summary_lines

    given = {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "n_fast": fast, "p1_fast": p1_fast,
             "socialisation": socialisation and socialisation.value, "superior": superior and superior.value,
             "k_rule": k_rule and k_rule.value}

    def announce(exp, reps: int) -> None:
        check_writable(out)
        err_console.print(f"{exp.spec.name}: {len(exp.points)} points × {reps:,} replications")

    with user_errors():
        if experiment is not None:
            for path in run_experiment_file(experiment, out, replications=replications, seed=seed,
                                            given={**given, "periods": periods}, on_loaded=announce):
                out_console.print(f"Wrote {path}", highlight=False)
            return
        result = run_setting(given, replications=replications or 1000, seed=seed or 0, periods=periods,
                             max_periods=max_periods)
    if as_json:
        sys.stdout.write(json.dumps(result.summary()) + "\n")
        return
    for line in summary_lines(result):
        out_console.print(line, highlight=False, soft_wrap=True)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()

"""The ``lesim march`` workflows as library functions: one setting run to a summary, or a
March experiment file run to tables and a chart.

User mistakes raise :class:`~sim.loader.ScenarioError` with a one-line message that names
the command-line option (``--p1: …``) or the file, line and key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from ..loader import ScenarioError, format_error
from ..parameters import LOCATION_SEP
from .experiments import LoadedExperiment, load_experiment, run_experiment, write_outputs
from .march import DEFAULT_MAX_PERIODS, MarchResult, MarchSettings, run


def option_name(key: str) -> str:
    """The command-line option of a :class:`MarchSettings` key (``n_fast`` is ``--fast``)."""
    return f"--{'fast' if key == 'n_fast' else key.replace('_', '-')}"


def settings_from_options(given: dict[str, Any]) -> MarchSettings:
    """Validate the settings given on the command line (``None``: not given, the default)."""
    try:
        return MarchSettings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key, message = (str(err["loc"][0]) if err["loc"] else ""), format_error(err, MarchSettings)
        if LOCATION_SEP in message:
            key, message = message.split(LOCATION_SEP)[-2:]
        raise ScenarioError(f"{option_name(key)}: {message}") from None


def run_setting(given: dict[str, Any], *, replications: int = 1000, seed: int = 0, periods: int | None = None,
                max_periods: int = DEFAULT_MAX_PERIODS) -> MarchResult:
    """Run one setting given as command-line options: to equilibrium (``periods=None``, only
    without turnover and turbulence) or measured in period ``periods``."""
    settings = settings_from_options(given)
    if periods is None and not settings.closed:
        raise ScenarioError("--p3/--p4: with turnover or turbulence there is no equilibrium; give --periods N "
                            "(March reports period 20 for turnover)")
    return run(settings, replications=replications, seed=seed, periods=periods, max_periods=max_periods)


def summary_lines(result: MarchResult) -> list[str]:
    """The lines ``lesim march`` prints for one setting: code knowledge ± SE, code score,
    equilibrium counts (for a run to equilibrium) and the settings."""
    summary, s, periods = result.summary(), result.settings, result.periods_requested
    where = "at equilibrium" if periods is None else f"in period {periods}"
    lines = [f"code knowledge {where}: {summary['mean_code_knowledge']:.4f} ± {summary['se']:.4f} (SE; "
             f"{result.replications:,} replications, seed {result.seed})",
             f"code score Σ code·reality/m: {summary['mean_code_score']:.4f} ± {summary['se_code_score']:.4f}; "
             f"mean individual knowledge {summary['mean_individual_knowledge']:.4f}"]
    if periods is None:
        lines.append(f"reached equilibrium: {summary['reached_equilibrium']:,} of {result.replications:,} "
                     f"(mean {summary['mean_periods']:.1f} periods, longest {summary['max_periods_run']})")
    lines.append(f"settings: p1={s.p1:g} p2={s.p2:g} p3={s.p3:g} p4={s.p4:g} fast={s.n_fast} (p1_fast={s.p1_fast:g}) "
                 f"m={s.m} n={s.n} socialisation={s.socialisation} superior={s.superior} k_rule={s.k_rule}")
    return lines


def run_experiment_file(path: Path, out: Path, *, replications: int | None = None, seed: int | None = None,
                        given: dict[str, Any] | None = None,
                        on_loaded: Callable[[LoadedExperiment, int], None] | None = None) -> list[Path]:
    """Load, run and write a March experiment file (``lesim march --experiment``); returns
    the files written into ``out``.

    Settings come from the file: any non-``None`` value in ``given`` (settings or
    ``periods`` given as options) is an error. ``on_loaded(experiment, replications)`` is called once the file
    is valid, before the (long) run.
    """
    flags = [option_name(k) for k, v in (given or {}).items() if v is not None]
    if flags:
        raise ScenarioError(f"{flags[0]}: settings come from the experiment file with --experiment (only "
                            "--replications, --seed and --out apply)")
    exp = load_experiment(path)
    reps = replications or exp.spec.replications
    if on_loaded is not None:
        on_loaded(exp, reps)
    return write_outputs(run_experiment(exp, replications=replications, seed=seed), out)

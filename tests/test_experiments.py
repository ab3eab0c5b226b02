"""Experiments: files, run keys, CRN seeds, local and Dask execution, resume, comparison."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.experiments import store
from sim.experiments.compare import POOLED, compare_frame
from sim.experiments.plan import count_runs, plan_runs, replicate_seed
from sim.experiments.runner import execute
from sim.experiments.spec import load_experiment
from sim.experiments.sweep import sweep
from sim.loader import ScenarioError

from .conftest import ROOT, lesim

EXPERIMENTS = sorted(p for p in (ROOT / "experiments").glob("*.yaml") if not p.name.startswith("march_"))


def write_experiment(folder: Path, body: str, name: str = "tiny") -> Path:
    (folder / "base.yaml").write_text("name: base\nweeks: 8\nseed: 1\norganisation: {size: 80}\n")
    f = folder / f"{name}.yaml"
    f.write_text(textwrap.dedent(body))
    return f


TINY = """\
name: tiny
base: base.yaml
strategies:
  baseline: {}
  mentoring: {policies.mentoring.enabled: true, policies.mentoring.ratio: 0.3}
uncertainties:
  scenarios:
    central: {}
    churn: {labour_market.annual_turnover: 0.3}
design: {type: factorial, replicates: 2, seed: 5}
measure: {outcomes: [skills_gap, engagement], every: 4}
"""


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_shipped_experiment_loads_and_its_runs_execute(path: Path, tmp_path: Path):
    exp = load_experiment(path, replicates=1, weeks=3)
    tasks = list(plan_runs(exp, tmp_path))
    assert len(tasks) == count_runs(exp) and len({t.key for t in tasks}) == len(tasks)
    store.prepare(tmp_path)
    for task in tasks[: len(exp.spec.strategies)]:
        assert execute(task)["ok"], store.error_records(tmp_path)
    assert len(store.stored_keys(tmp_path)) == len(exp.spec.strategies)


def test_march_experiment_files_point_to_lesim_march(tmp_path: Path):
    with pytest.raises(ScenarioError, match="lesim march --experiment"):
        load_experiment(ROOT / "experiments" / "march_learning_rates.yaml")


def test_at_least_three_experiments_ship():
    names = {p.stem for p in EXPERIMENTS}
    assert {"strategy_comparison", "learning_time_dose_response", "sensitivity"} <= names


def test_run_keys_are_stable_across_processes(tmp_path: Path):
    f = write_experiment(tmp_path, TINY)
    here = [t.key for t in plan_runs(load_experiment(f), tmp_path / "a")]
    code = (f"from sim.experiments.spec import load_experiment; from sim.experiments.plan import plan_runs; "
            f"print(' '.join(t.key for t in plan_runs(load_experiment({str(f)!r}), 'elsewhere')))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": "123"}).stdout.split()
    assert here == there and len(set(here)) == 8


def test_replicate_seeds_do_not_depend_on_the_strategy(tmp_path: Path):
    tasks = list(plan_runs(load_experiment(write_experiment(tmp_path, TINY)), tmp_path))
    by = {}
    for t in tasks:
        by.setdefault((t.uncertainty, t.replicate), set()).add(t.seed)
    assert all(len(seeds) == 1 for seeds in by.values())
    assert len({next(iter(s)) for s in by.values()}) == 4
    assert replicate_seed(5, "central", 0) == replicate_seed(5, "central", 0) != replicate_seed(5, "central", 1)


def test_one_and_two_workers_store_identical_results(tmp_path: Path):
    f = write_experiment(tmp_path, TINY)
    exp = load_experiment(f)
    a, b = tmp_path / "one", tmp_path / "two"
    sa = sweep(exp, a, workers=1)
    sb = sweep(exp, b, workers=2)
    assert sa.done == sb.done == 8 and sa.failed == sb.failed == 0
    ra, rb = store.read_runs(a), store.read_runs(b)
    pd.testing.assert_frame_equal(ra, rb)
    assert len(ra) == 8 * 2 and set(ra["week"]) == {4, 8}  # measured every 4 weeks of 8
    assert set(pd.read_parquet(a / "runs").columns) >= {"run_key", "strategy", "uncertainty", "replicate", "seed",
                                                        "week", "skills_gap", "engagement"}
    again = sweep(exp, a, workers=2)  # resume: everything is stored already
    assert again.skipped == 8 and again.done == 0


def session_alive(sid: int) -> bool:
    """Whether any process of session ``sid`` (the driver and its workers) still runs."""
    out = subprocess.run(["ps", "-o", "pid=", "-s", str(sid)], capture_output=True, text=True).stdout
    return bool(out.strip())


def test_killed_driver_resumes_to_exactly_the_uninterrupted_runs(tmp_path: Path):
    body = TINY.replace("replicates: 2", "replicates: 4").replace("every: 4", "every: 13")
    f = write_experiment(tmp_path, body)
    (tmp_path / "base.yaml").write_text("name: base\nweeks: 52\nseed: 1\norganisation: {size: 400}\n")
    full = tmp_path / "full"
    assert sweep(load_experiment(f), full, workers=1).done == 16
    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim", "sweep", str(f), "--workers", "1", "--out", str(killed)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    while len(store.stored_keys(killed)) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(store.stored_keys(killed))
    assert 3 <= partial < 16, "the driver was killed mid-way"
    resumed = lesim("sweep", str(f), "--workers", "2", "--out", str(killed), check=True)
    assert "already stored" in resumed.stdout
    deadline = time.time() + 30  # the killed driver's workers notice and end by themselves
    while session_alive(proc.pid) and time.time() < deadline:
        time.sleep(0.2)
    assert not session_alive(proc.pid), "workers of the killed driver linger"
    pd.testing.assert_frame_equal(store.read_runs(killed), store.read_runs(full))
    files = [p for p in (killed / "runs").iterdir() if not p.name.startswith(".")]
    assert len(files) == 16 and not store.error_records(killed)


def test_a_run_that_raises_is_recorded_and_the_rest_finish(tmp_path: Path):
    # executives and size sampled independently: combinations with more executives and
    # departments than people fail at run time, the others run.
    f = write_experiment(tmp_path, """\
        name: failing
        base: base.yaml
        strategies: {baseline: {}}
        uncertainties:
          parameters:
            organisation.executives: {low: 1, high: 10, integer: true}
            organisation.size: {low: 6, high: 16, integer: true}
        design: {type: latin_hypercube, samples: 12, replicates: 1, seed: 3}
        measure: {outcomes: [skills_gap]}
        """, name="failing")
    (tmp_path / "base.yaml").write_text("name: base\nweeks: 4\norganisation: {size: 80, executives: 1}\n")
    exp = load_experiment(f)
    stats_ = sweep(exp, tmp_path / "out", workers=2)
    errors = store.error_records(tmp_path / "out")
    assert stats_.failed == len(errors) > 0 and stats_.done > 0 and stats_.done + stats_.failed == 12
    assert all("executives" in e["error"] or "too small" in e["error"] for e in errors)
    assert all("Traceback" in e["traceback"] for e in errors)
    proc = lesim("sweep", str(f), "--out", str(tmp_path / "out"), "--workers", "1")
    assert proc.returncode == 1 and "failed:" in proc.stderr


@pytest.fixture
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0", silence_logs=40)
    client = distributed.Client(cluster)
    yield cluster, client
    client.close()
    cluster.close()


def test_dask_worker_killed_mid_sweep_still_completes_every_run(tmp_path: Path, dask_cluster):
    cluster, client = dask_cluster
    body = TINY.replace("replicates: 2", "replicates: 3").replace("every: 4", "every: 13")
    f = write_experiment(tmp_path, body)
    (tmp_path / "base.yaml").write_text("name: base\nweeks: 52\nseed: 1\norganisation: {size: 400}\n")
    exp = load_experiment(f)
    out = tmp_path / "dask"
    result = {}
    t = threading.Thread(target=lambda: result.update(stats=sweep(exp, out, scheduler=cluster.scheduler_address)))
    t.start()
    deadline = time.time() + 300
    while len(store.stored_keys(out)) < 2 and time.time() < deadline:
        time.sleep(0.05)
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    os.kill(victim, signal.SIGKILL)
    t.join(timeout=600)
    assert not t.is_alive()
    assert result["stats"].done + result["stats"].skipped == 12 and result["stats"].failed == 0
    local = tmp_path / "local"
    sweep(exp, local, workers=2)
    pd.testing.assert_frame_equal(store.read_runs(out), store.read_runs(local))


def _store_runs(folder: Path, rows: list[dict]) -> None:
    store.prepare(folder)
    (folder / "experiment.yaml").write_text("name: hand\nbaseline: base\ndesign: {seed: 0}\n")
    frame = pd.DataFrame(rows)
    for key, g in frame.groupby("run_key"):
        store.write_run(folder, key, g)


def test_comparison_statistics_match_hand_computation(tmp_path: Path):
    base = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    better = base - np.array([1.1, 0.9, 1.2, 0.8, 1.05, 0.95])  # skills gap: lower is better
    rows = []
    for strategy, values, cost in (("base", base, 1000.0), ("better", better, 1500.0)):
        for rep, v in enumerate(values):
            rows.append({"run_key": f"{strategy}{rep}", "experiment": "hand", "strategy": strategy,
                         "uncertainty": "central", "replicate": rep, "seed": rep, "week": 10, "skills_gap": v,
                         "cumulative_spend_per_employee": cost})
    table = compare_frame(pd.DataFrame(rows), "base")
    r = table[(table.strategy == "better") & (table.outcome == "skills_gap") & (table.uncertainty == "central")].iloc[0]
    d = better - base
    half = stats.t.ppf(0.975, 5) * d.std(ddof=1) / np.sqrt(6)
    assert r["diff"] == pytest.approx(-1.0)
    assert (r["diff_low"], r["diff_high"]) == pytest.approx((-1.0 - half, -1.0 + half))
    assert r["effect_size"] == pytest.approx(-1.0 / d.std(ddof=1))
    assert r["rank"] == 1 and r["prob_best"] == 1.0
    assert r["variance_ratio"] == pytest.approx(d.var(ddof=1) / (base.var(ddof=1) + better.var(ddof=1)))
    assert r["variance_ratio"] < 0.01  # pairing removes the shared replicate-to-replicate variation
    assert r["gain_per_1000_usd"] == pytest.approx(1.0 / 500.0 * 1000)
    assert r["pareto"]  # better and dearer: nothing dominates it
    assert r["note"].startswith("only 6 replicates")
    # one comparison: p_adj is the paired t-test's two-sided p, t = mean(d) / (sd(d) / √n), 5 df
    t = d.mean() / (d.std(ddof=1) / np.sqrt(6))
    assert r["p_adj"] == pytest.approx(2 * stats.t.sf(abs(t), 5))
    assert t == pytest.approx(-1.0 / (np.std([0.1, -0.1, 0.2, -0.2, 0.05, -0.05], ddof=1) / np.sqrt(6)))
    assert set(table.uncertainty) == {"central", POOLED}


def test_cli_compare_writes_csv_and_html(tmp_path: Path):
    f = write_experiment(tmp_path, TINY)
    out = tmp_path / "sw"
    lesim("sweep", str(f), "--out", str(out), "--workers", "2", check=True)
    proc = lesim("compare", str(out), check=True)
    table = pd.read_csv(out / "comparison.csv")
    assert {"mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high", "effect_size", "p_adj", "rank",
            "prob_best"} <= set(table.columns)
    assert set(table.strategy) == {"baseline", "mentoring"} and set(table.uncertainty) == {"central", "churn", POOLED}
    html = (out / "comparison.html").read_text()
    assert html.count("data:image/png;base64,") >= 3 and "Differences from the baseline" in html
    assert "Only 2 replicates per future" in proc.stdout and "Decision brief" in html


@pytest.mark.parametrize("body,expected", [
    (TINY.replace("policies.mentoring.ratio: 0.3", "policies.mentoring.ratio: 1.3"),
     "tiny.yaml:5: strategies.mentoring: policies.mentoring.ratio: must be between 0 and 1, got 1.3"),
    (TINY.replace("policies.mentoring.ratio", "policies.mentorin.ratio"),
     "tiny.yaml:5: strategies.mentoring: policies.mentorin: unknown key"),
    (TINY.replace("replicates: 2", "replicatse: 2"), "tiny.yaml:10: design.replicatse: unknown key"),
    (TINY.replace("[skills_gap, engagement]", "[skills_gap, happiness]"), "measure.outcomes[1]: unknown outcome 'happiness'"),
    (TINY.replace("base: base.yaml", "base: nowhere.yaml"), "tiny.yaml:2: base: no scenario file"),
    (TINY.replace("labour_market.annual_turnover: 0.3", "policies.mentoring.ratio: 0.3"),
     "is set by a strategy too"),
    (TINY.replace("type: factorial", "type: sobol"), "tiny.yaml:6: uncertainties.parameters: a sobol design needs parameter ranges"),
    (TINY + "baseline: nothing\n", "baseline: 'nothing' is not one of the strategies"),
])
def test_broken_experiment_files_give_clear_errors(tmp_path: Path, body: str, expected: str):
    f = write_experiment(tmp_path, body)
    with pytest.raises(ScenarioError) as info:
        load_experiment(f)
    assert expected in str(info.value) and "\n" not in str(info.value)
    proc = lesim("sweep", str(f), "--out", str(tmp_path / "never"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "never").exists()


MORRIS = """\
name: morris
base: base.yaml
strategies:
  baseline: {}
  lxp: {policies.platform.enabled: true}
uncertainties:
  parameters:
    learning.formal_rate: {low: 0.02, high: 0.1}
    policies.recognition.cost_per_completion: {low: 0, high: 50}   # recognition is off: no effect
design: {type: morris, samples: 4, morris_levels: 4, replicates: 1, seed: 3}
measure: {outcomes: [skills_gap, engagement]}
"""


def test_sensitivity_finds_no_effect_where_there_is_none(tmp_path: Path):
    """Design points share seeds, so a parameter the model never reads has μ* exactly 0,
    while the formal learning rate moves the skills gap."""
    f = write_experiment(tmp_path, MORRIS, name="morris")
    out = tmp_path / "m"
    proc = lesim("sensitivity", str(f), "--out", str(out), "--workers", "2", check=True)
    idx = pd.read_csv(out / "sensitivity.csv")
    assert set(idx.columns) >= {"strategy", "outcome", "parameter", "mu_star", "mu_star_conf", "sigma"}
    none = idx[idx.parameter == "policies.recognition.cost_per_completion"]
    assert (none["mu_star"] == 0).all() and (none["sigma"] == 0).all()
    rate = idx[(idx.parameter == "learning.formal_rate") & (idx.outcome == "skills_gap")]
    assert (rate["mu_star"] > 0).all() and (rate["mu_star_conf"] >= 0).all()
    assert (out / "sensitivity.html").is_file() and (out / "ranking_sensitivity.csv").is_file()
    assert "learning.formal_rate" in proc.stdout


def test_sensitivity_refuses_a_factorial_design_before_running(tmp_path: Path):
    f = write_experiment(tmp_path, TINY)
    proc = lesim("sensitivity", str(f), "--out", str(tmp_path / "s"))
    assert proc.returncode == 2 and "needs a morris or sobol design" in proc.stderr
    assert not (tmp_path / "s" / "runs").exists()


def bh_by_hand(p: list[float]) -> list[float]:
    """Benjamini–Hochberg from the definition: with p sorted ascending, p_(i) × m / i, then the
    running minimum from the largest rank down, capped at 1; returned in the input's order."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])  # order[i - 1] = index of the p-value of rank i
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        adjusted[i] = running
    return adjusted


# A worked example: unsorted, with a tie (0.03 twice), m = 6.
#   rank i   1      2     3     4     5     6
#   p_(i)    0.005  0.01  0.03  0.03  0.04  0.20
#   p×6/i    0.03   0.03  0.06  0.045 0.048 0.20
#   min ↓    0.03   0.03  0.045 0.045 0.048 0.20   (running minimum from rank 6 down)
# Rank 3 takes rank 4's 0.045 (without the running minimum it would be 0.06 and the tie
# would split), ranks 1 and 2 share 0.03.
BH_P = [0.04, 0.01, 0.03, 0.03, 0.20, 0.005]
BH_ADJUSTED = [0.048, 0.03, 0.045, 0.045, 0.20, 0.03]
# A second group, adjusted on its own: sorted 0.15 0.30 0.45 0.60 0.75 0.90, p×6/i = 0.9 at
# every rank, so every adjusted value is 0.9 (adjusting both groups together would not give this).
BH_P2 = [0.30, 0.60, 0.90, 0.45, 0.15, 0.75]
BH_ADJUSTED2 = [0.9] * 6


def test_bh_by_hand_reproduces_the_worked_example():
    assert bh_by_hand(BH_P) == pytest.approx(BH_ADJUSTED, rel=1e-12)
    assert bh_by_hand(BH_P2) == pytest.approx(BH_ADJUSTED2, rel=1e-12)
    assert bh_by_hand([0.5]) == [0.5] and bh_by_hand([1.0, 1.0]) == [1.0, 1.0]


def _paired_with_p(p: float) -> np.ndarray:
    """Two paired differences whose two-sided paired t-test has p-value ``p``: d = (t + 1, t − 1)
    has mean t and standard error 1, so the statistic is t; with 1 degree of freedom t is
    Cauchy, p = 1 − (2/π) arctan t, i.e. t = tan(π (1 − p) / 2)."""
    t = np.tan(np.pi * (1.0 - p) / 2.0)
    return np.array([t + 1.0, t - 1.0])


def test_benjamini_hochberg_matches_the_worked_example():
    """compare_frame adjusts the strategy × outcome comparisons of each uncertainty group with
    BH; each group's six comparisons have a worked example's p-values, in that (unsorted) order."""
    baseline = np.array([1.0, 2.0])
    outcomes = ["skills_gap", "engagement"]
    strategies = ["s1", "s2", "s3"]
    keys = [(o, s) for o in outcomes for s in strategies]
    rows = []
    for u, ps in (("central", BH_P), ("high", BH_P2)):
        values = {("base", o): baseline for o in outcomes}
        values.update({(s, o): baseline + _paired_with_p(p) for (o, s), p in zip(keys, ps)})
        rows += [{"run_key": f"{u}{s}{rep}", "experiment": "x", "strategy": s, "uncertainty": u, "replicate": rep,
                  "seed": rep, "week": 5, **{o: values[(s, o)][rep] for o in outcomes}}
                 for s in ["base", *strategies] for rep in range(2)]
    table = compare_frame(pd.DataFrame(rows), "base")
    assert table.loc[table.strategy == "base", "p_adj"].isna().all()
    for u, ps, adjusted in (("central", BH_P, BH_ADJUSTED), ("high", BH_P2, BH_ADJUSTED2)):
        sub = table[(table.uncertainty == u) & (table.strategy != "base")].set_index(["outcome", "strategy"])
        np.testing.assert_allclose(sub.loc[keys, "p"].to_numpy(dtype=float), ps, rtol=1e-9)
        np.testing.assert_allclose(sub.loc[keys, "p_adj"].to_numpy(dtype=float), adjusted, rtol=1e-9)
    pooled = table[(table.uncertainty == POOLED) & (table.strategy != "base")]
    np.testing.assert_allclose(pooled["p_adj"].to_numpy(dtype=float), bh_by_hand(pooled["p"].tolist()), rtol=1e-12)


def test_benjamini_hochberg_over_several_comparisons():
    """On noisy data: the adjusted p-values are BH (by hand) of the raw ones, per uncertainty group."""
    rng = np.random.default_rng(0)
    base = rng.normal(size=8)
    rows = []
    effects = {"base": 0.0, "a": 0.05, "b": 0.3, "c": 1.0}
    for s, eff in effects.items():
        vals = base + eff + (rng.normal(scale=0.3, size=8) if s != "base" else 0)
        for rep, v in enumerate(vals):
            rows.append({"run_key": f"{s}{rep}", "experiment": "x", "strategy": s, "uncertainty": "central",
                         "replicate": rep, "seed": rep, "week": 5, "skills_gap": v})
    table = compare_frame(pd.DataFrame(rows), "base")
    sub = table[(table.uncertainty == "central") & (table.strategy != "base")].set_index("strategy")
    expected = bh_by_hand(sub["p"].tolist())
    np.testing.assert_allclose(sub["p_adj"].to_numpy(dtype=float), expected, rtol=1e-12)
    assert (sub["p_adj"] >= sub["p"]).all() and sub.loc["c", "p_adj"] < 0.01


def _poisoned(task):
    """A run that kills its worker process (as a segfault or the OOM killer would)."""
    if task.replicate == 0 and task.strategy == "mentoring" and task.uncertainty == "central":
        os._exit(9)
    return execute(task)


class PoisonEngine:
    """Real local worker processes, running a task function that kills its worker for one run."""

    def __init__(self, workers):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self._new = lambda: ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver"))
        self._pool = self._new()

    def submit(self, task):
        return self._pool.submit(_poisoned, task)

    def reset(self):
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new()

    def close(self, cancel=False):
        self._pool.shutdown(wait=True)


def test_a_run_that_kills_its_worker_fails_alone(tmp_path: Path):
    from sim.experiments.runner import SweepStats, run_tasks

    exp = load_experiment(write_experiment(tmp_path, TINY))
    out = tmp_path / "poison"
    store.prepare(out)
    engine = PoisonEngine(2)
    stats_ = run_tasks(plan_runs(exp, out), engine, skip=set(), stats=SweepStats(planned=8))
    engine.close()
    errors = store.error_records(out)
    assert stats_.failed == 1 and stats_.done == 7
    assert len(errors) == 1 and errors[0]["strategy"] == "mentoring" and "died 3 times" in errors[0]["error"]


@pytest.mark.parametrize("body,expected", [
    (TINY.replace("mentoring: {", "mentoring: {seed: 4, "), "strategies.mentoring.seed: is set by the experiment"),
    (TINY.replace("every: 4", "weeks: [4, 9]"), "measure.weeks: week 9 is after the horizon (8 weeks)"),
    (TINY.replace("churn: {labour_market.annual_turnover: 0.3}", "churn: {policies.mentoring: {ratio: 0.1}}"),
     "churn.policies.mentoring: overlaps 'policies.mentoring."),
    # issue 14, defect 8: the runner sets the seed and horizon of every run
    (TINY.replace("churn: {", "churn: {seed: 667, "),
     "tiny.yaml:9: uncertainties.scenarios.churn.seed: is set by the experiment for every run"),
    (TINY.replace("central: {}", "central: {weeks: 4}"),
     "tiny.yaml:8: uncertainties.scenarios.central.weeks: is set by the experiment for every run"),
    (TINY.replace("  scenarios:\n    central: {}\n    churn: {labour_market.annual_turnover: 0.3}",
                  "  parameters: {seed: {low: 0, high: 1000, integer: true}}").replace("factorial", "latin_hypercube"),
     "tiny.yaml:7: uncertainties.parameters.seed: is set by the experiment for every run"),
    (TINY.replace("mentoring: {", "mentoring: {name: other, "), "strategies.mentoring.name: is set by the experiment"),
    # issue 14, defect 12 and its kind: nonsense that was silently ignored
    (TINY.replace("every: 4", "weeks: [-1, 4]"), "tiny.yaml:11: measure.weeks[0]: week -1 is before the start (week 0)"),
    (TINY.replace("every: 4", "weeks: [4, 8, 4]"), "measure.weeks[2]: week 4 is listed twice"),
    (TINY.replace("every: 4", "weeks: [4], every: 2"), "measure.every: give either weeks"),
    (TINY.replace("[skills_gap, engagement]", "[skills_gap, skills_gap]"), "measure.outcomes[1]: 'skills_gap' is listed twice"),
    (TINY.replace("seed: 5}", "seed: 5, samples: 20}"), "tiny.yaml:10: design.samples: has no effect in a factorial design"),
    (TINY.replace("seed: 5}", "seed: 5, morris_levels: 6}"), "design.morris_levels: has no effect in a factorial design"),
    (TINY.replace("  scenarios:", "  parameters: {learning.formal_rate: plausible}\n  scenarios:"),
     "uncertainties.parameters: parameter ranges are sampled only by latin_hypercube, sobol or morris designs"),
    (TINY.replace("  scenarios:", "  parameters: {learning.formal_rate: plausible}\n  scenarios:").replace(
        "factorial", "latin_hypercube"), "uncertainties.scenarios: named scenarios are crossed only by a factorial"),
    (TINY.replace("name: tiny", "name: tiny\nequal_budget: true").replace(
        "mentoring: {", "mentoring: {governance.annual_budget_per_employee: 2000, "),
     "strategies.mentoring.governance.annual_budget_per_employee: equal_budget: true gives every strategy the "
     "baseline's budget"),
    # issue 14, defect 10: no `<scenario>:` inside an experiment's error; combinations are checked at load
    (TINY.replace("mentoring: {", "mentoring: {organisation.size: 3, "),
     "tiny.yaml:5: strategies.mentoring: organisation.executives: must be fewer than size (3), got 3"),
    (TINY.replace("mentoring: {", "mentoring: {organisation.size: 10, ").replace(
        "churn: {", "churn: {organisation.executives: 12, "),
     "tiny.yaml:9: uncertainties.scenarios.churn: with strategy 'mentoring': organisation.executives: must be fewer "
     "than size (10), got 12"),
])
def test_more_experiment_mistakes_are_caught_at_load(tmp_path: Path, body: str, expected: str):
    with pytest.raises(ScenarioError) as info:
        load_experiment(write_experiment(tmp_path, body))
    assert expected in str(info.value) and "<scenario>" not in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("args,expected", [
    (["sweep", "{exp}", "--scheduler", "garbage", "--out", "{tmp}/x"], "cannot start the sweep"),
    (["sweep", "{exp}", "--weeks", "6000", "--out", "{tmp}/x"], "--weeks: weeks: must be between 1 and 5,200"),
    (["compare", "{tmp}"], "no experiment.yaml"),
    (["run", "{root}/scenarios/baseline.yaml", "--out", "/proc/lesim/x"], "cannot write results there"),
])
def test_cli_mistakes_give_one_line_and_status_2(tmp_path: Path, args: list[str], expected: str):
    f = write_experiment(tmp_path, TINY)
    argv = [a.format(exp=f, tmp=tmp_path, root=ROOT) for a in args]
    proc = lesim(*argv)
    assert proc.returncode == 2, proc.stderr
    assert expected in " ".join(proc.stderr.split()) and "Traceback" not in proc.stderr

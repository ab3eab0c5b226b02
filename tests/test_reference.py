"""The columnar engine against the agent-by-agent reference (benchmarks/reference.py).

Exact where the rule is deterministic or the reference is handed the engine's draws;
in distribution where the reference draws its own numbers (Mesa's ``model.random``).
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from sim.model import LearningEcosystem

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("reference", ROOT / "benchmarks" / "reference.py")
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


def engine(**overrides) -> LearningEcosystem:
    """A spun-up model a few weeks into its run, so that pending gains, rotations and
    mentors are under way (mentoring and rotation on unless switched off)."""
    values = {"organisation__size": 400, "weeks": 20, "seed": 11, "policies__job_rotation__enabled": True,
              "policies__mentoring__enabled": True, "organisation__remote_share": 0.3,
              "organisation__hybrid_share": 0.3}
    values.update(overrides)
    m = LearningEcosystem(**values)
    for _ in range(6):
        m.step()
    return m


@pytest.fixture(scope="module")
def model() -> LearningEcosystem:
    return engine()


class Copy:
    """A copy of a model's state and streams, on which its phases run (the model is untouched)."""

    def __init__(self, m: LearningEcosystem):
        self.engine, self.state, self.streams = m, copy.deepcopy(m.state), copy.deepcopy(m.streams)
        self.workforce, self.derived = self.state.workforce, self.state.derived

    def run(self, name: str) -> None:
        self.engine.phase(name).run(self.state, self.streams)

    def reference(self, seed: int = 0):
        return reference.ReferenceModel(self.engine, seed, copy.deepcopy(self.state))


def test_experiential_and_forgetting_agree_bit_for_bit(model):
    m = Copy(model)
    assert (m.workforce.work_role != m.workforce.role).any() and (m.workforce.mentor >= 0).any()
    ref = m.reference()
    m.run("experiential")
    ref.experiential()
    np.testing.assert_array_equal(ref.column("prof"), m.workforce.prof)
    np.testing.assert_array_equal(ref.column("demand"), m.derived.demand)
    m.run("forgetting")
    ref.forgetting()
    np.testing.assert_array_equal(ref.column("prof"), m.workforce.prof)


def test_a_job_share_learns_by_doing_as_the_reference_does():
    """Job shares of 30 %: each partner approaches both roles' demands for their share of the
    week (w × the worked role's step, as the numpy rule multiplied it)."""
    m = Copy(engine(policies__job_rotation__mode="share", policies__job_rotation__share_fraction=0.3,
                    policies__job_rotation__share_per_year=1.0))
    share = m.workforce.work_share[m.workforce.work_role != m.workforce.role]
    assert len(share) > 10 and np.allclose(share, 0.3)
    ref = m.reference()
    m.run("experiential")
    ref.experiential()
    np.testing.assert_array_equal(ref.column("prof"), m.workforce.prof)
    np.testing.assert_array_equal(ref.column("demand"), m.derived.demand)


def test_transfer_agrees_bit_for_bit_given_the_engines_draws(model):
    m = Copy(model)
    ref = m.reference()
    chances = copy.deepcopy(m.streams["transfer"]).random(m.workforce.prof.shape)
    assert m.workforce.pending.sum() > 0
    m.run("transfer")
    ref.transfer(chances)
    np.testing.assert_array_equal(ref.column("prof"), m.workforce.prof)
    np.testing.assert_array_equal(ref.column("pending"), m.workforce.pending)
    # totals: the reference adds skill by skill, numpy pairwise (the last digit may differ)
    np.testing.assert_allclose(ref.column("transferred"), m.workforce.transferred, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ref.column("unapplied_lost"), m.workforce.unapplied_lost, rtol=1e-12, atol=1e-15)


def test_social_learning_agrees_bit_for_bit_given_the_engines_draws():
    m = Copy(engine(policies__mentoring__enabled=False))   # the reference leaves mentoring out
    ref = m.reference()
    draws = copy.deepcopy(m.streams["social"])
    picks, talks = draws.random(m.workforce.n), draws.random(m.workforce.n)
    m.run("social")
    ref.social(picks, talks)
    assert m.workforce.peer_event.sum() > 20
    np.testing.assert_array_equal(ref.column("prof"), m.workforce.prof)
    np.testing.assert_array_equal(ref.column("peer_event"), m.workforce.peer_event)
    np.testing.assert_array_equal(ref.column("peer_cross"), m.workforce.peer_cross)
    np.testing.assert_array_equal(ref.column("time_cost"), m.workforce.time_cost)


def test_measures_agree(model):
    m = Copy(model)
    ref = m.reference()
    m.run("data")
    rows = ref.measures()
    d = m.derived
    home = m.workforce.work_role == m.workforce.role   # the reference measures fit in the home role
    for name in ("proficient", "critical", "critical_met", "bench"):
        np.testing.assert_array_equal(np.array([r[name] for r in rows]), getattr(d, name), err_msg=name)
    # sums over a role's skills: the role's total weight is added in another order (last digit)
    for name in ("gap", "role_proficiency"):
        np.testing.assert_allclose(np.array([r[name] for r in rows]), getattr(d, name), rtol=1e-13, atol=1e-15,
                                   err_msg=name)
    np.testing.assert_allclose(np.array([r["fit"] for r in rows])[home], d.fit[home], rtol=1e-13, atol=1e-15)
    occ = m.workforce.occupied
    np.testing.assert_allclose(ref.column("prof")[occ].sum(axis=0), d.skill_prof_sum, rtol=1e-12)


def test_with_its_own_draws_the_reference_transfers_and_talks_like_the_engine(model):
    """30 weeks from the same state with independent draws on each side: the mean levels
    transferred and the mean number of learning conversations agree within 4 standard errors."""
    social_model = engine(policies__mentoring__enabled=False)

    def week(base, phase, column, stream_key, rep):
        """The week's total of ``column`` under ``phase``: the engine's with a fresh stream,
        the reference's with its own draws."""
        m = Copy(base)
        m.streams._streams[phase] = np.random.default_rng([stream_key, rep])
        m.run(phase)
        ref = Copy(base).reference(seed=1000 * stream_key + rep)
        getattr(ref, phase)()
        return getattr(m.workforce, column).sum(), ref.column(column).sum()

    pairs = [(week(model, "transfer", "transferred", 7, rep), week(social_model, "social", "peer_event", 8, rep))
             for rep in range(30)]
    engine_transfer, ref_transfer = zip(*(p[0] for p in pairs))
    engine_talk, ref_talk = zip(*(p[1] for p in pairs))
    for a, b in ((engine_transfer, ref_transfer), (engine_talk, ref_talk)):
        a, b = np.array(a, float), np.array(b, float)
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        assert se > 0 and abs(a.mean() - b.mean()) < 4 * se, (a.mean(), b.mean(), se)

"""March (1991): mutual learning between individuals and an organisational code.

March, J. G. (1991), "Exploration and exploitation in organizational learning",
*Organization Science* 2(1):71–87. A docking model: our machinery (named SeedSequence
streams, columnar state, Mesa agents as handles onto rows) reproduces a classic published
model of the mechanism the ecosystem model is about.

The world (March 1991, pp. 74–75):

* **reality** has ``m`` dimensions, each +1 or −1 with probability ½;
* ``n`` **individuals** and the **organisational code** each hold a belief in {−1, 0, +1} on
  every dimension; individuals start uniform over the three values, the code starts all 0;
* **knowledge** is the proportion of dimensions on which a belief matches reality (a 0
  matches nothing).

One period, in the order of March's original program (see :func:`period`):

1. **turbulence** (p4) – each dimension of reality flips with probability p4;
2. **turnover** (p3) – each individual leaves with probability p3 and is replaced by a
   newcomer with uniform beliefs;
3. **measure** – code and individual knowledge are recorded (March's output point);
4. **superior group** – the individuals who outscore the code (see ``superior`` below);
5. **socialisation** (p1) – individuals move toward the code;
6. **code learning** (p2) – the code moves toward the superior group's dominant view.

Socialisation and code learning both act on the state found at step 3–4: the code learns
from the views its superior group held *before* this period's socialisation.

Implementation choices on which published replications differ are switches:

* ``socialisation="gradual"`` – a belief moves one step (opposite → 0 → code value), as in
  March's original code (Christensen 2015); ``"immediate"`` – it jumps to the code value,
  as the paper's text reads;
* ``superior="performance"`` – each individual *acts* on every dimension (a 0 belief acts
  as a coin flip); its performance Σ action·reality is compared with the code's score
  Σ code·reality (a 0 in the code counts neither right nor wrong), and the code follows the
  superior group's *actions* (Christensen 2015); ``"knowledge"`` – an individual is superior
  when it matches reality on more dimensions than the code does, and the code follows the
  superior group's *beliefs*, as the paper's text and footnote 1 read;
* ``k_rule`` – how footnote 1's k is counted: ``"footnote"`` as written (members differing
  from the code minus those agreeing) or ``"majority"`` (dominant-view holders minus
  opposite-view holders, as recreations of the original program count it).

Replications are vectorised: the state holds ``replications × n × m`` arrays and every
process is one numpy pass over them. All randomness comes from named streams
(:mod:`sim.rng`): ``reality``, ``beliefs``, ``socialisation``, ``code``, ``turnover``,
``turbulence`` and ``actions`` (the coin flips of 0 beliefs), so the same seed gives the
same result, and two settings run on the same seed start from the same reality and
beliefs (common random numbers). :class:`MarchModel` is the same model as a
:class:`mesa.Model` for one replication, stepping through the same :func:`period`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import mesa
import numpy as np
from pydantic import model_validator

from ..parameters import Section, located, param
from ..rng import Streams

SOURCE = "March (1991), Organization Science 2(1):71-87"
DEFAULT_MAX_PERIODS = 2000
"""Period cap of a run to equilibrium (no run of the shipped experiments needs half of it)."""


class MarchSettings(Section):
    """One setting of March's model: each parameter declared once, with its range."""

    m: int = param(30, "Dimensions of reality.", unit="dimensions", source=SOURCE, ge=1, le=1000)
    n: int = param(50, "Individuals in the organisation.", unit="people", source=SOURCE, ge=1, le=10_000)
    p1: float = param(0.5, "Socialisation rate: per period, the probability that a belief differing from a "
                      "non-zero code moves toward it.", unit="probability per period", source=SOURCE, ge=0, le=1)
    p2: float = param(0.5, "Code learning rate: with k = (superior individuals differing from the code) − "
                      "(those agreeing), the code keeps its value with probability (1 − p2)^k (footnote 1).",
                      unit="probability per period", source=SOURCE, ge=0, le=1)
    p3: float = param(0.0, "Turnover: per period, the probability that an individual leaves and is replaced "
                      "by a newcomer with uniform beliefs.", unit="probability per period", source=SOURCE, ge=0, le=1)
    p4: float = param(0.0, "Turbulence: per period, the probability that a dimension of reality flips.",
                      unit="probability per period", source=SOURCE, ge=0, le=1)
    p1_fast: float = param(0.9, "Socialisation rate of the fast learners of a mixed population (March's "
                           "heterogeneity experiment).", unit="probability per period", source=SOURCE, ge=0, le=1)
    n_fast: int = param(0, "How many of the n individuals socialise at p1_fast instead of p1 (0: a uniform "
                        "population).", unit="people", source=SOURCE, ge=0, le=10_000)
    socialisation: Literal["gradual", "immediate"] = param(
        "gradual", "gradual: opposite → 0 → code value, one step per success (March's code, Christensen 2015); "
        "immediate: straight to the code value (the paper's text).", source="Christensen (2015); March (1991)")
    superior: Literal["performance", "knowledge"] = param(
        "performance", "performance: the superior group are those whose actions (0 = coin flip) score more than "
        "the code and the code follows their actions (March's code, Christensen 2015); knowledge: those matching "
        "reality on more dimensions than the code, followed by their beliefs (the paper's text).",
        source="Christensen (2015); March (1991)")
    k_rule: Literal["footnote", "majority"] = param(
        "footnote", "How k of the code-learning probability 1 − (1 − p2)^k is counted. footnote: superior members "
        "whose view differs from the code minus those whose view equals it (March's footnote 1 as written: when the "
        "code is 0, every member with an opinion differs); majority: members holding the dominant view minus those "
        "holding the opposite one (Workiewicz's recreation of the original program; Watts & Gilbert's BASIC-derived "
        "version counts the same).", source="March (1991), footnote 1; Workiewicz (2019); Watts & Gilbert (2014)")

    @model_validator(mode="after")
    def _fast_within_n(self) -> "MarchSettings":
        if self.n_fast > self.n:
            raise located(("n_fast",), f"must be at most n ({self.n}), got {self.n_fast}")
        return self

    @property
    def p1_by_individual(self) -> np.ndarray:
        """Socialisation rate of each individual (the first ``n_fast`` are the fast learners)."""
        rates = np.full(self.n, self.p1)
        rates[: self.n_fast] = self.p1_fast
        return rates

    @property
    def mean_p1(self) -> float:
        return float(self.p1_by_individual.mean())

    @property
    def closed(self) -> bool:
        """No turnover and no turbulence: the only setting with an equilibrium."""
        return self.p3 == 0 and self.p4 == 0


# ----------------------------------------------------------------------------- state
@dataclass
class MarchState:
    """Beliefs of ``R`` independent replications (one row each), as int8 arrays."""

    reality: np.ndarray  # (R, m): +1 / −1
    beliefs: np.ndarray  # (R, n, m): −1 / 0 / +1
    code: np.ndarray  # (R, m): −1 / 0 / +1
    p1: np.ndarray  # (n,): socialisation rate of each seat (newcomers keep the seat's rate)
    period: int = 0
    # measured at step 3 of the latest period (March's output point), one value per row
    measured_code_knowledge: np.ndarray = field(default_factory=lambda: np.zeros(0))
    measured_code_score: np.ndarray = field(default_factory=lambda: np.zeros(0))
    measured_individual_knowledge: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def replications(self) -> int:
        return self.beliefs.shape[0]

    def take(self, rows: np.ndarray) -> "MarchState":
        """The state of the given rows only (copies)."""
        return MarchState(self.reality[rows], self.beliefs[rows], self.code[rows], self.p1, self.period,
                          self.measured_code_knowledge[rows], self.measured_code_score[rows],
                          self.measured_individual_knowledge[rows])


def initial_state(settings: MarchSettings, replications: int, streams: Streams) -> MarchState:
    """Reality ±1 with probability ½; individuals uniform over {−1, 0, +1}; the code all 0 (March, p. 74)."""
    R, n, m = replications, settings.n, settings.m
    reality = (2 * streams["reality"].integers(0, 2, size=(R, m)) - 1).astype(np.int8)
    beliefs = (streams["beliefs"].integers(0, 3, size=(R, n, m)) - 1).astype(np.int8)
    code = np.zeros((R, m), dtype=np.int8)
    state = MarchState(reality, beliefs, code, settings.p1_by_individual)
    measure(state)
    return state


# ----------------------------------------------------------------------------- measures
def code_knowledge(code: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Proportion of dimensions on which the code matches reality (a 0 matches nothing)."""
    return (code == reality).mean(axis=-1)


def code_score(code: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Σ code·reality / m: right minus wrong dimensions over m (a 0 counts neither way).

    Some replications (Workiewicz's recreation from Christensen 2015) report this as
    "knowledge"; it equals 2·knowledge − 1 when the code has no 0.
    """
    return (code.astype(np.int16) * reality).sum(axis=-1) / code.shape[-1]


def individual_knowledge(beliefs: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Mean over individuals of the proportion of dimensions each matches reality."""
    return (beliefs == reality[:, None, :]).mean(axis=(1, 2))


# ----------------------------------------------------------------------------- processes
def turbulence(state: MarchState, p4: float, rng: np.random.Generator) -> None:
    """Each dimension of reality flips (+1 ↔ −1) with probability p4 (March, p. 79)."""
    if p4 <= 0:
        return
    flip = rng.random(state.reality.shape) < p4
    state.reality[flip] *= -1


def turnover(state: MarchState, p3: float, rng: np.random.Generator) -> None:
    """Each individual leaves with probability p3; the newcomer in the seat holds uniform
    random beliefs over {−1, 0, +1} (March, p. 78)."""
    if p3 <= 0:
        return
    leaves = rng.random(state.beliefs.shape[:2]) < p3
    k = int(leaves.sum())
    if k:
        state.beliefs[leaves] = rng.integers(0, 3, size=(k, state.beliefs.shape[2])) - 1


def views_and_scores(state: MarchState, superior: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """What each individual offers the code, and its score against the code's.

    ``performance``: the individual acts on every dimension – its belief where non-zero, a
    coin flip where 0 – and scores Σ action·reality; the code scores Σ code·reality.
    ``knowledge``: the individual offers its beliefs and scores the dimensions it matches;
    the code scores the dimensions it matches. Returns (views, individual − code score).
    """
    reality = state.reality[:, None, :]
    if superior == "performance":
        views = state.beliefs.copy()
        unsure = np.flatnonzero(views == 0)
        if unsure.size:  # one fair coin per 0 belief: the low bit of a random byte, in array order
            coins = (np.frombuffer(rng.bytes(unsure.size), dtype=np.uint8) & 1).view(np.int8)
            views.reshape(-1)[unsure] = 2 * coins - 1
        mine = np.einsum("rnm,rm->rn", views, state.reality, dtype=np.int16)
        code = (state.code * state.reality).sum(axis=1, dtype=np.int16)
    else:
        views = state.beliefs
        mine = (views == reality).sum(axis=2, dtype=np.int16)
        code = (state.code == state.reality).sum(axis=1, dtype=np.int16)
    return views, mine - code[:, None]


def superior_counts(views: np.ndarray, margin: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per replication and dimension: how many of the superior group (margin > 0) hold +1,
    how many −1, and the group's size."""
    sup = (margin > 0).astype(np.int16)
    net = np.einsum("rn,rnm->rm", sup, views, dtype=np.int16)  # (+1 holders) − (−1 holders)
    opinions = np.einsum("rn,rnm->rm", sup, (views != 0).view(np.int8), dtype=np.int16)
    size = sup.sum(axis=1, dtype=np.int16)[:, None]  # (R, 1)
    return (opinions + net) // 2, (opinions - net) // 2, size


def socialise(state: MarchState, mode: str, rng: np.random.Generator) -> None:
    """Where the code is non-zero and a belief differs from it, the belief moves toward the
    code with the individual's probability p1 (March, p. 74): one step (opposite → 0 →
    code) when ``gradual``, straight to the code value when ``immediate``.

    One uniform number is drawn per eligible belief, in array order.
    """
    code = state.code[:, None, :]
    eligible = (code != 0) & (state.beliefs != code)
    flat = np.flatnonzero(eligible)
    if flat.size == 0:
        return
    n, m = state.beliefs.shape[1:]
    p1 = state.p1
    rate = p1[0] if np.all(p1 == p1[0]) else p1[(flat // m) % n]
    moves = flat[rng.random(flat.size) < rate]
    target = state.code.reshape(-1)[(moves // (n * m)) * m + moves % m]
    b = state.beliefs.reshape(-1)
    b[moves] = target if mode == "immediate" else b[moves] + target  # −c + c = 0; 0 + c = c


def learn_code(state: MarchState, plus: np.ndarray, minus: np.ndarray, size: np.ndarray, p2: float,
               rng: np.random.Generator, k_rule: str = "footnote") -> None:
    """The code adopts the superior group's dominant view on a dimension with probability
    1 − (1 − p2)^k (March's footnote 1); k ≤ 0, an empty group or a tie between +1 and −1
    leave the dimension unchanged. The dominant view is the sign of (+1 holders − −1
    holders): a 0 is no opinion and never dominant.

    ``footnote``: k = (members whose view differs from the code) − (members whose view
    equals it). ``majority``: k = (members holding the dominant view) − (members holding
    the opposite one). The two agree when the code holds the opposite view and every
    member has an opinion; they differ when the code is 0 (footnote: every opinion counts
    for the change) or members hold 0 beliefs (``knowledge`` only).

    One uniform number is drawn per replication and dimension.
    """
    u = rng.random(state.code.shape)
    code = state.code
    dominant = np.sign(plus - minus).astype(np.int8)
    if k_rule == "majority":
        k = np.abs(plus - minus)
    else:
        agree = np.where(code == 1, plus, np.where(code == -1, minus, size - plus - minus))
        k = size - 2 * agree
    change = (dominant != 0) & (dominant != code) & (k > 0)
    change &= u < 1.0 - np.power(1.0 - p2, np.maximum(k, 0))
    code[change] = dominant[change]


def measure(state: MarchState) -> None:
    """Record code knowledge, code score and mean individual knowledge (March's output point)."""
    state.measured_code_knowledge = code_knowledge(state.code, state.reality)
    state.measured_code_score = code_score(state.code, state.reality)
    state.measured_individual_knowledge = individual_knowledge(state.beliefs, state.reality)


def period(state: MarchState, settings: MarchSettings, streams: Streams) -> None:
    """One period of March's model, in the order of his original program."""
    turbulence(state, settings.p4, streams["turbulence"])
    turnover(state, settings.p3, streams["turnover"])
    measure(state)
    views, margin = views_and_scores(state, settings.superior, streams["actions"])
    plus, minus, size = superior_counts(views, margin)
    socialise(state, settings.socialisation, streams["socialisation"])
    learn_code(state, plus, minus, size, settings.p2, streams["code"], settings.k_rule)
    state.period += 1


def at_equilibrium(state: MarchState, superior: str) -> np.ndarray:
    """Which replications can change no further (without turnover and turbulence).

    A replication is at equilibrium when both

    (i) socialisation can change nothing: wherever the code is non-zero, every individual's
        belief equals it; and
    (ii) the code can change nothing: no individual could still outscore the code. With
        ``knowledge`` that is: no individual matches reality on more dimensions than the
        code. With ``performance``, an individual's best possible performance counts each
        of its 0 beliefs as a lucky right action: no individual's best possible Σ
        action·reality may exceed the code's Σ code·reality.

    Both conditions persist once they hold (nothing can be drawn that changes a belief or
    the code), so the state is final. March's equilibrium – everyone shares the code's
    belief on every dimension – satisfies both; in principle (i)–(ii) can also hold while
    individuals differ from the code on a dimension where the code is still 0 and no one
    is right there, a state as final as March's (the code learns only by moving to ±1, so
    its 0 dimensions keep the individuals' initial beliefs). :func:`run` records
    separately whether the belief is shared.
    """
    code = state.code[:, None, :]
    settled = ~((code != 0) & (state.beliefs != code)).any(axis=(1, 2))
    rows = np.flatnonzero(settled)
    if rows.size:
        beliefs, reality, c = state.beliefs[rows], state.reality[rows][:, None, :], code[rows]
        open_dim = c == 0  # only there can an individual differ from the code now
        if superior == "performance":
            best = np.where(beliefs == 0, 1, beliefs * reality)
        else:
            best = (beliefs == reality).astype(np.int8)
        gain = np.where(open_dim, best, 0).sum(axis=2)
        settled[rows] = ~(gain > 0).any(axis=1)
    return settled


def shared_belief(state: MarchState) -> np.ndarray:
    """Which replications have every individual equal to the code on every dimension."""
    return ~(state.beliefs != state.code[:, None, :]).any(axis=(1, 2))


# ----------------------------------------------------------------------------- runs
@dataclass(frozen=True)
class MarchResult:
    """Per-replication outcomes of one setting (arrays of length ``replications``)."""

    settings: MarchSettings
    replications: int
    seed: int
    periods_requested: int | None  # None: run to equilibrium
    code_knowledge: np.ndarray  # equilibrium (or period-N) code knowledge, proportion of dimensions
    code_score: np.ndarray  # Σ code·reality / m at the same point
    individual_knowledge: np.ndarray  # mean individual knowledge at the same point
    periods: np.ndarray  # periods run
    equilibrium: np.ndarray  # reached equilibrium before the cap (always False for fixed periods)
    shared: np.ndarray  # every individual equals the code on every dimension at the end
    trace: np.ndarray | None = None  # (periods, replications): code knowledge measured in each period
    state: MarchState | None = None  # the final state (only when asked for, fixed periods)

    @property
    def mean_code_knowledge(self) -> float:
        return float(self.code_knowledge.mean())

    @property
    def se(self) -> float:
        """Standard error of the mean code knowledge over replications."""
        return standard_error(self.code_knowledge)

    def summary(self) -> dict:
        """The headline numbers and the settings, JSON-ready."""
        return {
            "mean_code_knowledge": self.mean_code_knowledge,
            "se": self.se,
            "mean_code_score": float(self.code_score.mean()),
            "se_code_score": standard_error(self.code_score),
            "mean_individual_knowledge": float(self.individual_knowledge.mean()),
            "replications": self.replications,
            "seed": self.seed,
            "periods": self.periods_requested,
            "measured_at": "equilibrium" if self.periods_requested is None else f"period {self.periods_requested}",
            "reached_equilibrium": int(self.equilibrium.sum()),
            "shared_belief": int(self.shared.sum()),
            "mean_periods": float(self.periods.mean()),
            "max_periods_run": int(self.periods.max()),
            **self.settings.model_dump(),
        }


def standard_error(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")


def run(settings: MarchSettings | None = None, *, replications: int = 1000, seed: int = 0,
        periods: int | None = None, max_periods: int = DEFAULT_MAX_PERIODS, trace: bool = False,
        keep_state: bool = False, on_period: Callable[[int, int], None] | None = None) -> MarchResult:
    """Run ``replications`` independent replications of one setting, vectorised.

    ``periods=None`` runs each replication to equilibrium (:func:`at_equilibrium`; only
    without turnover and turbulence) or to ``max_periods``, and reports the final state.
    ``periods=N`` runs N periods and reports what March's program reports for period N:
    the knowledge measured in that period (after its turbulence and turnover, before its
    learning). ``trace`` keeps code knowledge measured in every period (a replication at
    equilibrium keeps its final value). ``on_period(period, still_running)`` reports progress.
    """
    settings = settings if settings is not None else MarchSettings()
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if periods is None and not settings.closed:
        raise ValueError("with turnover (p3) or turbulence (p4) there is no equilibrium: give a number of periods")
    if periods is not None and periods < 1:
        raise ValueError(f"periods must be at least 1, got {periods}")
    streams = Streams(seed)
    state = initial_state(settings, replications, streams)
    horizon = periods if periods is not None else max_periods
    R = replications
    rows = np.arange(R)  # original replication index of each row still running
    final_knowledge = np.zeros(R)
    final_score = np.zeros(R)
    final_individual = np.zeros(R)
    ran = np.zeros(R, dtype=np.int64)
    reached = np.zeros(R, dtype=bool)
    shared = np.zeros(R, dtype=bool)
    history = np.zeros((horizon, R)) if trace else None

    def settle(done: np.ndarray, final: MarchState, at_eq: bool) -> None:
        idx = rows[done]
        if periods is None:
            final_knowledge[idx] = code_knowledge(final.code[done], final.reality[done])
            final_score[idx] = code_score(final.code[done], final.reality[done])
            final_individual[idx] = individual_knowledge(final.beliefs[done], final.reality[done])
        else:
            final_knowledge[idx] = final.measured_code_knowledge[done]
            final_score[idx] = final.measured_code_score[done]
            final_individual[idx] = final.measured_individual_knowledge[done]
        ran[idx] = final.period
        reached[idx] = at_eq
        shared[idx] = shared_belief(final)[done] if final.replications else False
        if history is not None and at_eq:
            history[final.period:, idx] = code_knowledge(final.code[done], final.reality[done])

    for t in range(1, horizon + 1):
        period(state, settings, streams)
        if history is not None:
            history[t - 1, rows] = state.measured_code_knowledge
        if on_period is not None:
            on_period(t, rows.size)
        if periods is None:
            done = at_equilibrium(state, settings.superior)
            if done.any():
                settle(done, state, True)
                keep = ~done
                state, rows = state.take(keep), rows[keep]
                if rows.size == 0:
                    break
    if rows.size:
        settle(np.ones(rows.size, dtype=bool), state, False)
    if history is not None and periods is None:
        history = history[: int(ran.max())]
    return MarchResult(settings, R, int(seed), periods, final_knowledge, final_score, final_individual, ran,
                       reached, shared, history, state if keep_state and periods is not None else None)


# ----------------------------------------------------------------------------- Mesa
class Individual(mesa.Agent):
    """A member of the organisation: a handle onto its row of the model's belief array.

    ``beliefs`` is a writable view; the processes act on the whole array at once, so the
    handle carries no behaviour of its own (the pattern of :mod:`sim.agents`).
    """

    model: "MarchModel"

    def __init__(self, model: "MarchModel", row: int):
        super().__init__(model)
        self.row = int(row)

    @property
    def beliefs(self) -> np.ndarray:
        """Belief on each dimension, −1 / 0 / +1 (a view of the model's array)."""
        return self.model.state.beliefs[0, self.row]

    @property
    def p1(self) -> float:
        """This individual's socialisation rate."""
        return float(self.model.state.p1[self.row])

    @property
    def knowledge(self) -> float:
        """Proportion of dimensions on which this individual's belief matches reality."""
        return float((self.beliefs == self.model.state.reality[0]).mean())

    def __repr__(self) -> str:
        return f"<Individual {self.unique_id} row={self.row} knowledge={self.knowledge:.2f}>"


class OrganisationalCode(mesa.Agent):
    """The organisation's code of received truth: a handle onto the model's code array."""

    model: "MarchModel"

    @property
    def beliefs(self) -> np.ndarray:
        return self.model.state.code[0]

    @property
    def knowledge(self) -> float:
        return float(code_knowledge(self.beliefs, self.model.state.reality[0]))

    @property
    def score(self) -> float:
        return float(code_score(self.beliefs, self.model.state.reality[0]))

    def __repr__(self) -> str:
        return f"<OrganisationalCode {self.unique_id} knowledge={self.knowledge:.2f}>"


class MarchModel(mesa.Model):
    """March's model as a Mesa model: one replication, individuals and the code as agents.

    The state is the vectorised engine's with one row, and :meth:`step` is :func:`period`,
    so ``MarchModel(settings, seed=s)`` stepped to equilibrium ends exactly where
    ``run(settings, replications=1, seed=s)`` does. ``running`` turns False at equilibrium
    (closed settings) or after ``periods`` periods.
    """

    def __init__(self, settings: MarchSettings | None = None, *, seed: int = 0, periods: int | None = None):
        super().__init__(rng=int(seed))
        self.settings = settings if settings is not None else MarchSettings()
        self.seed = int(seed)
        self.periods = periods
        self.streams = Streams(self.seed)
        self.state = initial_state(self.settings, 1, self.streams)
        self.individuals = [Individual(self, row) for row in range(self.settings.n)]
        self.code = OrganisationalCode(self)
        self.equilibrium = False
        self.datacollector = mesa.DataCollector(model_reporters={
            "code_knowledge": lambda m: m.code.knowledge,
            "code_score": lambda m: m.code.score,
            "individual_knowledge": lambda m: float(individual_knowledge(m.state.beliefs, m.state.reality)[0]),
        })
        self.datacollector.collect(self)

    @property
    def period(self) -> int:
        return self.state.period

    def step(self) -> None:
        """One period: turbulence, turnover, measure, superior group, socialise, code learns."""
        period(self.state, self.settings, self.streams)
        self.datacollector.collect(self)
        if self.settings.closed and self.periods is None:
            self.equilibrium = bool(at_equilibrium(self.state, self.settings.superior)[0])
            self.running = not self.equilibrium
        if self.periods is not None and self.state.period >= self.periods:
            self.running = False

    def run_to_end(self, max_periods: int = DEFAULT_MAX_PERIODS) -> None:
        """Step until equilibrium, the requested periods, or ``max_periods``."""
        while self.running and self.state.period < max_periods:
            self.step()

"""The weekly phases, one module per process; :data:`sim.model.WEEK` lists them in order.

Each phase is declared with :class:`~sim.processes.phase.Phase`: its scenario parameters,
the state it reads and writes, its named random stream, and one function ``fn(state, p,
rng)`` that updates the columns of the state in place. No rule receives the model. Each
function opens with a docstring stating the rule, its source (or "assumption"), and what
it writes.
"""

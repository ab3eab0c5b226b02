"""The org network view's sample and layout (drawn in the browser by :mod:`sim.dashboard.live`)."""

from __future__ import annotations

import numpy as np

MAX_NETWORK_NODES = 250


def network_sample(model, limit: int = MAX_NETWORK_NODES) -> np.ndarray:
    """Whole teams, in team order, until ``limit`` positions: a readable, stable sample."""
    team = model.workforce.team
    order = np.argsort(team, kind="stable")
    return np.sort(order[:limit])


def network_layout(model, rows: np.ndarray) -> dict[int, tuple[float, float]]:
    """Seeded spring layout of the sampled positions (computed once per model)."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(int(r) for r in rows)
    ties = model.ties
    keep = set(int(r) for r in rows)
    for r in rows:
        for nb in ties.indices[ties.indptr[r]:ties.indptr[r + 1]]:
            if int(nb) in keep:
                g.add_edge(int(r), int(nb))
    return {k: (float(v[0]), float(v[1])) for k, v in nx.spring_layout(g, seed=1, iterations=40).items()}

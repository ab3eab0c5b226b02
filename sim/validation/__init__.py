"""Docking models: published models re-implemented with this project's machinery.

:mod:`sim.validation.march` is March's (1991) exploration/exploitation model, vectorised over
replications and exposed as a Mesa model; :mod:`sim.validation.experiments` reads the
experiment files that reproduce his figures (``experiments/march_*.yaml``) and
:mod:`sim.validation.charts` draws one; :mod:`sim.validation.report` runs them all and
draws the figures of docs/validation.md (``python -m sim.validation.report``).
"""

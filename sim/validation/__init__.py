"""Docking models: published models re-implemented with this project's machinery.

:mod:`sim.validation.march` is March's (1991) exploration/exploitation model, vectorised over
replications and exposed as a Mesa model; :mod:`sim.validation.experiments` reads the
experiment files that reproduce his figures (``experiments/march_*.yaml``) and
:mod:`sim.validation.report` draws them (``python -m sim.validation.report``).
"""

"""Strategy experiments: experiment files, run planning with deterministic keys and common
random numbers, executors (local processes or Dask), the results store, comparison
statistics and sensitivity analysis."""

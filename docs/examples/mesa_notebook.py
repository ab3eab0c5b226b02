# %% [markdown]
# # The learning-ecosystem model from Python, the way Mesa's tutorials work
#
# A notebook in plain Python (`# %%` cells: VS Code, PyCharm and Jupytext open it as a
# notebook). Run it whole with
#
#     python docs/examples/mesa_notebook.py [output-folder]
#
# from the repository root; it writes `mesa_example.png` into the folder (default: a new
# temporary folder) and takes about ten seconds. The test suite runs it
# (tests/test_mesa_native.py), so it stays true.

# %%
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no window: the figure goes to a file
import matplotlib.pyplot as plt
import mesa
import numpy as np
import pandas as pd

from sim.agents import Employee
from sim.economics import t_interval
from sim.model import LearningEcosystem

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MENTORING = ROOT / "scenarios" / "mentoring_programme.yaml"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="lesim-mesa-"))
OUT.mkdir(parents=True, exist_ok=True)
WEEKS = 52          # one year
SIZE = 200          # a smaller organisation than the files' 500, to keep the example quick
SEEDS = [1, 2, 3]   # common random numbers: each seed is the same organisation under both strategies

# %% [markdown]
# ## Load a scenario and step it
# Keywords override any parameter by its key path, exactly like `lesim run --set`, with `__`
# for the dots. A mistake (a misspelt key, a value out of range) raises a one-line
# `ScenarioError`.

# %%
model = LearningEcosystem.from_yaml(BASELINE, seed=1, weeks=WEEKS, organisation__size=SIZE)
while model.running:        # running turns False at the scenario's last week
    model.step()
# people are Mesa agents (handles onto the model's columns): Mesa's AgentSet API works on them
staff = model.agents_by_type[Employee]   # exact class: managers and executives are their own types
print(f"week {model.week}: {len(staff)} employees (not managers), mean engagement "
      f"{staff.agg('engagement', np.mean):.3f}")

# %% [markdown]
# ## Read the data frame
# `model.datacollector` is a Mesa `DataCollector`; its columns are those of `timeseries.csv`
# (week, headcount, then every declared outcome), one row per week, week 0 first.

# %%
df = model.datacollector.get_model_vars_dataframe()
print(df[["week", "headcount", "skills_gap", "engagement", "spend_per_employee"]].iloc[[0, 13, 26, 52]])

# %% [markdown]
# ## Compare two strategies on common seeds with `mesa.batch_run`
# `rng` gives the seeds (Mesa 3.5's replacement for `iterations`); `scenario` and every
# override can be swept like any Mesa model parameter.

# %%
rows = mesa.batch_run(
    LearningEcosystem,
    parameters={"scenario": [str(BASELINE), str(MENTORING)], "weeks": WEEKS, "organisation__size": SIZE},
    rng=SEEDS,
    max_steps=WEEKS,
    data_collection_period=1,   # every week (the default, -1, keeps only the last)
    number_processes=1,
    display_progress=False,
)
runs = pd.DataFrame(rows)
runs["strategy"] = runs["scenario"].map(lambda p: Path(p).stem)
final = runs[runs["week"] == WEEKS].pivot(index="rng", columns="strategy", values="skills_gap")
diff = final["mentoring_programme"] - final["baseline"]
mean, low, high = t_interval(diff.tolist())
print(f"skills gap after {WEEKS} weeks, mentoring − baseline, paired over seeds {SEEDS}: "
      f"{mean:+.4f} [{low:+.4f}, {high:+.4f}] (95 % interval)")

# %% [markdown]
# ## Plot

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for strategy, runs_of in runs.groupby("strategy"):
    ax.plot(runs_of.groupby("week")["skills_gap"].mean(), label=strategy)
ax.set_xlabel("week")
ax.set_ylabel("skills gap index (mean over seeds)")
ax.legend()
fig.savefig(OUT / "mesa_example.png", dpi=100, bbox_inches="tight")
print(f"wrote {OUT / 'mesa_example.png'}")

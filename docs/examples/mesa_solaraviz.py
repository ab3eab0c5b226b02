"""The model in Mesa's own SolaraViz, with Mesa's ``make_plot_component`` charting the outcomes.

    solara run docs/examples/mesa_solaraviz.py

A small example of Mesa's tools on this model (the project's dashboard, ``lesim dashboard``,
is the full interface). The charts read ``model.datacollector``, whose columns are the
declared outcomes (:data:`sim.outcomes.OUTCOMES`); the controls are SolaraViz
``model_params`` whose names are keyword overrides of the scenario (``__`` for the dots), so
Reset rebuilds ``LearningEcosystem(scenario=..., seed=..., policies__mentoring__enabled=...)``.
The model is built per browser session (inside ``Page``): a module-level model would be
shared by every visitor.
"""

from pathlib import Path

import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from sim.model import LearningEcosystem

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"

MODEL_PARAMS = {
    "scenario": str(SCENARIO),  # fixed: the scenario the controls override
    "seed": {"type": "SliderInt", "value": 1, "label": "Seed", "min": 0, "max": 99, "step": 1},
    "organisation__size": {"type": "SliderInt", "value": 200, "label": "Employees", "min": 50, "max": 1000,
                           "step": 50},
    "policies__mentoring__enabled": {"type": "Checkbox", "value": False, "label": "Mentoring programme"},
    "policies__protected_time__enabled": {"type": "Checkbox", "value": False, "label": "Protected learning time"},
}

@solara.component
def Status(model: LearningEcosystem):
    """What the charts show: the week, the scenario, its size and seed, the programmes on."""
    update_counter.get()  # re-render after each step, as Mesa's own components do
    sc = model.spec
    on = [name for name in ("mentoring", "protected_time") if getattr(sc.policies, name).enabled]
    solara.Text(f"Week {model.week} of {sc.weeks} · {sc.name} · {sc.organisation.size} employees · seed {sc.seed} · "
                f"programmes on: {', '.join(on) or 'none'}")


COMPONENTS = [
    (Status, 0),
    make_plot_component({"skills_gap": "tab:red", "productivity": "tab:green"}),
    make_plot_component(["engagement", "culture_index"]),
    make_plot_component("spend_per_employee"),
]


def initial_model() -> LearningEcosystem:
    """The model the page opens with: the controls' starting values."""
    values = {k: (v["value"] if isinstance(v, dict) else v) for k, v in MODEL_PARAMS.items()}
    return LearningEcosystem(**values)


@solara.component
def Page():
    model = solara.use_memo(initial_model, [])
    SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS, name="Learning ecosystem (Mesa SolaraViz)")

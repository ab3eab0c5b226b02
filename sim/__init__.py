"""learning-ecosystem-sim: an agent-based simulation of an organisation's learning ecosystem."""

from .loader import ScenarioError, load_scenario
from .model import LearningEcosystem
from .run import simulate
from .scenario import Scenario

__all__ = ["LearningEcosystem", "Scenario", "ScenarioError", "load_scenario", "simulate"]

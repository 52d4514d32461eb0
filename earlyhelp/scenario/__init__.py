"""Scenarios: what if a service closes, opens, moves or changes capacity?

- :mod:`earlyhelp.scenario.spec`: the scenario file (its TOML format is described there),
  command-line flags, and combining scenarios.
- :mod:`earlyhelp.scenario.actions`: making the changes to the services, one registry entry
  per action (close, open, move, capacity).
- :mod:`earlyhelp.scenario.compare`: rerunning the analysis and comparing it with the
  baseline (:class:`ScenarioResult`).
"""

from earlyhelp.scenario.actions import apply_scenario
from earlyhelp.scenario.compare import ScenarioResult, compare_assessments, run_scenario
from earlyhelp.scenario.spec import (
    SCENARIO_ACTIONS,
    Change,
    Scenario,
    combine,
    read_scenario,
    scenario_from_flags,
)

__all__ = [
    "SCENARIO_ACTIONS",
    "Change",
    "Scenario",
    "ScenarioResult",
    "apply_scenario",
    "combine",
    "compare_assessments",
    "read_scenario",
    "run_scenario",
    "scenario_from_flags",
]

"""Scenarios: what if a service closes, opens, moves or changes capacity?

Everything is in :mod:`earlyhelp.scenario.spec` for now (the file format is described
there); this face keeps the names importable from ``earlyhelp.scenario``.
"""

from earlyhelp.scenario.spec import (
    SCENARIO_ACTIONS,
    Change,
    Scenario,
    ScenarioResult,
    apply_scenario,
    combine,
    compare_assessments,
    read_scenario,
    run_scenario,
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

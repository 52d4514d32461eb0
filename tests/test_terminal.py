"""The command line as an analyst meets it: output as wide as their terminal, districts by
name, percentages, progress on long steps, the version, a scenario file to copy, and
siting that says plainly what it could and could not do."""

from __future__ import annotations

import contextlib
import re
import time

import pytest
from conftest import REPO
from typer.testing import CliRunner

from earlyhelp import commands
from earlyhelp.cli import app
from earlyhelp.config import load_config

runner = CliRunner()


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def test_version():
    from importlib import metadata

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"earlyhelp {metadata.version('earlyhelp')}"


@pytest.mark.parametrize("width", [60, 100, 160])
def test_compare_is_as_wide_as_the_terminal(tiny, width):
    result = runner.invoke(
        app, ["compare", "--config", str(tiny.config)], env={"COLUMNS": str(width)}
    )
    assert result.exit_code == 0, result.output
    assert _widest(result.stdout) <= width
    assert "West" in result.stdout and "East" in result.stdout
    assert re.search(r"\d+\.\d%", result.stdout)  # shares as percentages
    if width >= 160:  # side by side when it fits; a block per district when it does not
        assert re.search(r"District\s+Children", result.stdout)
    if width == 60:
        assert "  Children 0-19: 3,200" in result.stdout


def test_a_table_side_by_side_is_never_cut_at_any_width(monkeypatch, capsys):
    """Between "a block per row" and "side by side with room to spare" (about 100 to 120
    columns for compare's ten columns) the table once printed too wide for rich, which
    squeezed it, and the terminal cut the last column off ("Spe", "£1,")."""
    import pandas as pd

    from earlyhelp.terminal import print_table

    headings = ["District", "Children 0-19", "With the full core range in reach", "95% CI"]
    headings += ["Core range vs county", "With adequate places", "Places vs county"]
    headings += ["Children in priority gaps", "Capacity per 1,000 children", "Spend per child"]
    row = ["County total", "301,247", "100.0%", "96.1–100.0%", "similar", "80.1%"]
    row += ["similar", "47,460", "1,063.8", "£1,330"]
    table = pd.DataFrame([row], columns=[f"c{i}" for i in range(len(row))])
    for width in range(60, 161):
        monkeypatch.setenv("COLUMNS", str(width))
        print_table("Districts", dict(zip(table.columns, headings, strict=True)), table)
        text = capsys.readouterr().out
        assert _widest(text) <= width
        words = [word.rstrip(":") for word in text.split()]
        whole = [re.search(rf"(^|\s){re.escape(v)}(\s|$)", text, re.M) for v in row]
        assert all(whole), width  # every cell whole
        assert all(word in words for h in headings[1:] for word in h.split()), width


def test_districts_are_accepted_by_code_or_name(tiny):
    by_name = runner.invoke(
        app,
        ["compare", "--config", str(tiny.config), "--district", " west ", "--with", "East"],
        env={"COLUMNS": "160"},
    )
    by_code = runner.invoke(
        app,
        ["compare", "--config", str(tiny.config), "--district", "E07000001", "--with", "e07000002"],
        env={"COLUMNS": "160"},
    )
    assert by_name.exit_code == 0, by_name.output
    assert by_name.stdout == by_code.stdout
    assert by_name.stdout.splitlines()[0].strip() == "West against East"
    wrong = runner.invoke(
        app, ["compare", "--config", str(tiny.config), "--district", "Wset", "--with", "East"]
    )
    assert wrong.exit_code == 2
    assert "no district 'Wset'" in wrong.stderr and "did you mean 'West'" in wrong.stderr
    assert "West (E07000001)" in wrong.stderr


def test_two_districts_side_by_side_in_words_and_percentages(tiny):
    result = runner.invoke(
        app,
        ["compare", "--config", str(tiny.config), "--district", "West", "--with", "East"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Children within reach (%)" in text and "share_within_reach" not in text
    assert "Parenting" in text and "parenting" not in text  # labels, not keys
    assert re.search(r"\d+\.\d%", text) and re.search(r"[+-]\d+\.\d points", text)
    assert not re.search(r"\b0\.\d{3}\b", text)  # no proportions such as 0.875


def test_long_commands_report_each_step(tiny, monkeypatch):
    """report, scenario, site and compare tell a progress bar each step as it starts (the
    bar itself shows only on a terminal)."""
    import earlyhelp.terminal as terminal

    seen: dict[str, list[str]] = {}

    @contextlib.contextmanager
    def recording(names, **_):
        key = ",".join(names)
        seen[key] = []
        yield seen[key].append

    monkeypatch.setattr(terminal, "steps", recording)
    config = str(tiny.config)
    assert runner.invoke(app, ["run", "--config", config]).exit_code == 0
    for args in (
        ["report", "--config", config],
        ["scenario", "--config", config, "--close", "S1"],
        ["site", "--config", config, "--category", "domestic_abuse", "--k", "1"],
        ["compare", "--config", config],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    assert seen[",".join(commands.REPORT_STEPS)] == list(commands.REPORT_STEPS)
    assert seen[",".join(commands.SCENARIO_STEPS)] == list(commands.SCENARIO_STEPS)
    assert seen[",".join(commands.SITE_STEPS)] == list(commands.SITE_STEPS)
    assert seen[",".join(commands.ANALYSE_STEPS)] == list(commands.ANALYSE_STEPS)


def test_the_progress_bar_names_each_step_on_a_terminal(monkeypatch):
    import io

    import earlyhelp.terminal as terminal

    class Tty(io.StringIO):
        def isatty(self):
            return True

    screen = Tty()
    monkeypatch.setattr(terminal.sys, "stderr", screen)
    with terminal.steps(["load the inputs", "measure access"]) as step:
        step("load the inputs")
        time.sleep(0.3)  # the bar redraws ten times a second
        step("measure access")
        time.sleep(0.3)
    assert "measure access" in screen.getvalue()


def test_the_example_scenario_is_shipped_named_in_help_and_fits_the_demo():
    from earlyhelp.loading import load_inputs
    from earlyhelp.scenario import read_scenario
    from earlyhelp.scenario.actions import apply_scenario

    example = REPO / "examples" / "scenario.toml"
    help_text = runner.invoke(app, ["scenario", "--help"]).stdout
    assert "examples/scenario.toml" in help_text
    scenario = read_scenario(example)
    assert {c.action for c in scenario.changes} == {"close", "open", "move", "capacity"}
    cfg = load_config(REPO / "config.toml")
    inputs = load_inputs(cfg)
    services, changes = apply_scenario(
        inputs.services,
        scenario,
        areas=inputs.areas,
        categories=cfg.categories,
        postcodes=inputs.postcodes,
    )
    assert len(changes) == 4
    assert services.loc["C003", "status"] == "closed" and "N001" in services.index


def test_site_says_plainly_when_fewer_sites_help_and_never_calls_greedy_proven(tiny, tmp_path):
    base = ["site", "--config", str(tiny.config), "--category", "domestic_abuse"]
    many = runner.invoke(app, [*base, "--k", "9", "--out", str(tmp_path / "a")])
    assert many.exit_code == 0, many.output
    assert re.search(r"Only \d of the 9 sites asked for would help", many.stdout)
    assert "another site would add no one" in many.stdout
    greedy = runner.invoke(
        app, [*base, "--k", "1", "--method", "greedy", "--out", str(tmp_path / "b")]
    )
    assert greedy.exit_code == 0, greedy.output
    assert "proven" not in greedy.stdout
    assert "a fast heuristic, not guaranteed the best" in greedy.stdout
    assert "gap to the optimum is at most" in greedy.stdout
    exact = runner.invoke(app, [*base, "--k", "1", "--out", str(tmp_path / "c")])
    assert "exact, proven the best possible choice of sites" in exact.stdout
    help_text = runner.invoke(app, ["site", "--help"]).stdout
    assert "gap to the optimum" in " ".join(help_text.split())

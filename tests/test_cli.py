from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmot import __version__
from qmot.cli import app

runner = CliRunner()


@pytest.fixture
def point_files(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "a.csv"
    first.write_text("x,y,weight\n0,0,0.5\n1,0,0.5\n")
    second = tmp_path / "b.json"
    second.write_text(json.dumps({"points": [[0, 0], [3, 0]], "weights": [0.5, 0.5]}))
    return first, second


def test_help_and_version() -> None:
    assert "w2" in runner.invoke(app, ["--help"]).output
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_w2_table_and_json(point_files: tuple[Path, Path]) -> None:
    first, second = map(str, point_files)
    table = runner.invoke(app, ["w2", first, second])
    assert table.exit_code == 0
    assert "certified bracket" in table.output and "optimal" in table.output
    machine = runner.invoke(app, ["w2", first, second, "--json"])
    summary = json.loads(machine.output)
    assert summary["cost"] == pytest.approx(2.0)
    assert summary["lower_bound"] <= 2.0 <= summary["upper_bound"] + 1e-12


def test_w2_bad_input_exits_2_with_the_rule(tmp_path: Path, point_files: tuple[Path, Path]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"points": [[0, 0]], "weights": [0.7]}))
    result = runner.invoke(app, ["w2", str(point_files[0]), str(bad)])
    assert result.exit_code == 2
    assert "`b` must sum to 1" in result.output
    rescaled = runner.invoke(app, ["w2", str(point_files[0]), str(bad), "--normalize", "--json"])
    assert json.loads(rescaled.output)["cost"] == pytest.approx(0.5)


def test_console_script_is_installed() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "qmot", "--version"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0 and __version__ in completed.stdout

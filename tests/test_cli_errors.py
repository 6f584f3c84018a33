"""The CLI turns bad input into one ``error: ...`` line on stderr and exit code 2."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qmot.cli import app
from qmot.sweep import TASKS, register_task
from tests.sweep_tasks import fails_if

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fails_if_registered() -> Iterator[None]:
    register_task("fails_if", fails_if)
    yield
    TASKS.pop("fails_if", None)


def _one_error_line(arguments: list[str], expected: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.json"
    path.write_text(json.dumps({"points": [[0.0], [1.0]]}))
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"points": [[0, 1], [2]]}', "must give every point the same number of coordinates"),
        (b'{"points": [["a"], ["b"]]}', "must hold only numbers in 'points'"),
        (b'{"points": [[0]], "weights": ["x"]}', "must hold only numbers in 'weights'"),
        (b'{"points": [[0\xff]]}', "must be UTF-8 text (got byte 0xff"),
    ],
)
def test_w2_bad_files(tmp_path: Path, good: Path, content: bytes, expected: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    _one_error_line(["w2", str(good), str(bad)], expected)


def _store(tmp_path: Path, parameters: str = '{"x": 1}', cost: object = 1.0) -> Path:
    path = tmp_path / "store.sqlite"
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE results (key TEXT PRIMARY KEY, task TEXT, parameters TEXT, cost REAL, "
        "lower_bound REAL, upper_bound REAL, status TEXT, solver TEXT, seconds REAL, "
        "qmot_version TEXT, error TEXT, finished_at REAL)"
    )
    connection.execute(
        "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ["k", "fails_if", parameters, cost, 1.0, 1.0, "optimal", "s", 0.1, "0", None, 1.0],
    )
    connection.commit()
    connection.close()
    return path


def test_results_export_and_plot_into_a_missing_folder(tmp_path: Path) -> None:
    store = str(_store(tmp_path))
    missing = str(tmp_path / "nowhere" / "out.csv")
    _one_error_line(["results", "export", store, "--output", missing], "must be in an existing")
    _one_error_line(["plot", store, "--x", "x", "--output", missing], "`--output` must be in")


@pytest.mark.parametrize(
    ("parameters", "cost", "expected"),
    [
        ("{not json", 1.0, "must hold parameters as a JSON object"),
        ("[1, 2]", 1.0, "must hold parameters as a JSON object (got list)"),
        ('{"x": 1}', "lots", "must have a number in `cost` (got 'lots')"),
    ],
)
def test_results_show_corrupt_rows(
    tmp_path: Path, parameters: str, cost: object, expected: str
) -> None:
    _one_error_line(["results", "show", str(_store(tmp_path, parameters, cost))], expected)


def test_reproduce_out_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("")
    _one_error_line(["reproduce", "cfp2015", "--quick", "--out", str(target)], "must be a folder")


def test_reproduce_corrupt_stored_results(tmp_path: Path) -> None:
    (tmp_path / "cfp2015").mkdir()
    (tmp_path / "cfp2015" / "results.json").write_text("[1, 2")
    _one_error_line(
        ["reproduce", "cfp2015", "--quick", "--out", str(tmp_path)], "pass --force to recompute"
    )
    (tmp_path / "cfp2015" / "results.json").write_text("[1, 2]")
    _one_error_line(
        ["reproduce", "cfp2015", "--quick", "--out", str(tmp_path)], "must hold a JSON object"
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("sweep = 1\n", "`sweep` must be a table with key 'task' (got int 1)"),
        (
            '[sweep]\ntask = "fails_if"\n[parameters]\nx = 1979-05-27\n',
            "`parameters.x` must be strings, numbers or booleans",
        ),
        (
            '[sweep]\ntask = "mk2_two_particles"\n[parameters]\nhbar = [0.5]\n',
            "`parameters` must set eta for task 'mk2_two_particles'",
        ),
    ],
)
def test_sweep_bad_specs(tmp_path: Path, spec: str, expected: str) -> None:
    path = tmp_path / "spec.toml"
    path.write_text(spec)
    _one_error_line(["sweep", str(path)], expected)


def test_sweep_bad_stores(tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text('[sweep]\ntask = "fails_if"\n[parameters]\nx = [1, 2]\n')
    not_sqlite = tmp_path / "store.sqlite"
    not_sqlite.write_text("this is not a database, just some text " * 50)
    _one_error_line(
        ["sweep", str(spec), "--store", str(not_sqlite)], "must be a qmot SQLite sweep store"
    )
    missing = tmp_path / "nowhere" / "store.sqlite"
    _one_error_line(["sweep", str(spec), "--store", str(missing)], "must be in an existing folder")

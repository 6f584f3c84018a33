"""`qmot mk2`, `qmot dpt`, `qmot sce`, `qmot nbody` run from real files against closed forms."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qmot.cli import app

runner = CliRunner()


def _json_run(arguments: list[str], code: int = 0) -> dict:
    result = runner.invoke(app, [*arguments, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def _write(path: Path, payload: object) -> Path:
    path.write_text(json.dumps(payload))
    return path


def _bracket_holds(data: dict, exact: float, slack: float = 1e-9) -> None:
    assert data["lower_bound"] - slack <= exact <= data["upper_bound"] + slack
    assert data["cost"] == pytest.approx(exact, abs=1e-8)


# --- mk2 ---------------------------------------------------------------------------------------


def test_mk2_of_two_coherent_states_is_the_squared_phase_space_distance(tmp_path: Path) -> None:
    first = _write(tmp_path / "R.json", {"kind": "coherent", "points": [[0, 0]], "hbar": 0.1})
    second = _write(tmp_path / "S.json", {"kind": "coherent", "points": [[3, 4]], "hbar": 0.1})
    data = _json_run(["mk2", str(first), str(second)])
    _bracket_holds(data, 25.0)  # |z − z'|² (Caglioti–Golse–Paul 2020, §1)
    assert data["status"] == "optimal" and data["hbar"] == 0.1


def test_mk2_equal_masses_cost_the_classical_value(tmp_path: Path) -> None:
    """Caglioti–Golse–Paul 2020, eq. (13): C_q = (a − b)² for equal masses at ±a and ±b."""
    a, b, hbar = 1.0, 1.5, 0.5
    first = _write(
        tmp_path / "R.json", {"kind": "coherent", "points": [[-a, 0], [a, 0]], "hbar": hbar}
    )
    second = _write(
        tmp_path / "S.json",
        {"kind": "coherent", "points": [[-b, 0], [b, 0]], "weights": [0.5, 0.5], "hbar": hbar},
    )
    _bracket_holds(_json_run(["mk2", str(first), str(second)]), (a - b) ** 2, slack=1e-7)


def test_mk2_number_states_from_npy_and_json(tmp_path: Path) -> None:
    """Number states |m⟩, |n⟩: every coupling is the product, MK_ħ² = 2ħ(m + n)."""
    hbar = 0.5
    matrix = np.zeros((4, 4), dtype=complex)
    matrix[1, 1] = 1.0
    np.save(tmp_path / "one.npy", matrix)
    two = _write(tmp_path / "two.json", {"kind": "number", "occupation": 2, "cutoff": 3})
    data = _json_run(["mk2", str(tmp_path / "one.npy"), str(two), "--hbar", str(hbar)])
    _bracket_holds(data, 2 * hbar * 3)


def test_mk2_table_output(tmp_path: Path) -> None:
    first = _write(tmp_path / "R.json", {"kind": "thermal", "mean_occupation": 0.2, "cutoff": 6})
    second = _write(tmp_path / "S.json", {"kind": "number", "occupation": 0, "cutoff": 6})
    result = runner.invoke(app, ["mk2", str(first), str(second), "--tol", "1e-6"])
    assert result.exit_code == 0, result.output
    assert "certified bracket" in result.stdout and "optimal" in result.stdout


# --- dpt ---------------------------------------------------------------------------------------


def test_dpt_of_orthogonal_pure_qubits(tmp_path: Path) -> None:
    """Pure states: W² = |r − s|² of the Bloch vectors (Pauli costs), here (0,0,1) and (0,0,−1)."""
    np.save(tmp_path / "up.npy", np.diag([1.0, 0.0]))
    (tmp_path / "down.json").write_text(
        json.dumps({"real": [[0, 0], [0, 1]], "imag": [[0, 0]] * 2})
    )
    data = _json_run(
        ["dpt", str(tmp_path / "up.npy"), str(tmp_path / "down.json"), "--ops", "pauli"]
    )
    _bracket_holds(data, 4.0)
    assert data["kraus_operators"] >= 1
    half = _json_run(
        ["dpt", str(tmp_path / "up.npy"), str(tmp_path / "down.json"), "--ops", "spin:1/2"]
    )
    _bracket_holds(half, 1.0)  # spin-½ operators are the Pauli matrices halved


def test_dpt_operators_from_a_file_match_the_preset(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    rho = vectors @ vectors.conj().T
    rho /= np.trace(rho).real
    np.save(tmp_path / "rho.npy", rho)
    np.savetxt(tmp_path / "sigma.csv", np.diag([0.3, 0.7]), delimiter=",")
    paulis = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
    np.save(tmp_path / "ops.npy", paulis)
    by_file = _json_run(
        [
            "dpt",
            str(tmp_path / "rho.npy"),
            str(tmp_path / "sigma.csv"),
            "--ops",
            str(tmp_path / "ops.npy"),
        ]
    )
    by_name = _json_run(
        ["dpt", str(tmp_path / "rho.npy"), str(tmp_path / "sigma.csv"), "--ops", "pauli"]
    )
    assert by_file["lower_bound"] <= by_name["upper_bound"] + 1e-9
    assert by_name["lower_bound"] <= by_file["upper_bound"] + 1e-9


# --- sce ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("particles", [2, 3, 4])
def test_sce_uniform_coulomb_closed_form(particles: int) -> None:
    """Uniform density on [0, 1], Coulomb: N Σ_{k<N} (N − k)/k (equally spaced co-motion)."""
    exact = particles * sum((particles - k) / k for k in range(1, particles))
    data = _json_run(["sce", "uniform", "-N", str(particles)])
    _bracket_holds(data, exact, slack=1e-8)
    assert data["cost_per_pair"] == pytest.approx(exact / math.comb(particles, 2), abs=1e-8)


def test_sce_density_file_and_sites(tmp_path: Path) -> None:
    grid = tmp_path / "flat.csv"
    grid.write_text("x,rho\n" + "".join(f"{x},{2.0}\n" for x in np.linspace(0.0, 1.0, 11)))
    _bracket_holds(_json_run(["sce", str(grid), "-N", "3"]), 7.5, slack=1e-8)
    np.save(tmp_path / "sites.npy", np.array([[0.0, 1 / 3], [0.5, 1 / 3], [1.0, 1 / 3]]))
    data = _json_run(["sce", str(tmp_path / "sites.npy"), "-N", "3", "--sites"])
    _bracket_holds(data, 1 / 0.5 + 1 / 0.5 + 1 / 1.0)  # one particle per site
    assert data["configurations"] == [[1, 1, 1]]


def test_sce_exponential_cost_stays_below_mean_field() -> None:
    """F_N ≤ F_∞ = ∬e^{−|x−y|} on [0,1]² = 2/e (Cotar–Friesecke–Pass 2015, Thm. 1.2)."""
    data = _json_run(["sce", "uniform", "-N", "4", "--pair-cost", "exponential:1"])
    assert data["cost_per_pair"] <= 2 / math.e
    assert data["lower_bound"] > 0


# --- nbody -------------------------------------------------------------------------------------


def test_nbody_two_sites_and_csv_inf(tmp_path: Path) -> None:
    (tmp_path / "C.csv").write_text("inf,1\n1,inf\n")
    (tmp_path / "mu.json").write_text("[0.5, 0.5]")
    data = _json_run(["nbody", str(tmp_path / "C.csv"), str(tmp_path / "mu.json"), "-N", "2"])
    _bracket_holds(data, 1.0)
    assert data["configurations"] == [[1, 1]] and data["particles"] == 2


def test_nbody_lp_and_column_generation_agree_with_the_co_motion_value(tmp_path: Path) -> None:
    x = np.linspace(0.0, 1.0, 9)
    with np.errstate(divide="ignore"):
        cost = 1.0 / np.abs(x[:, None] - x[None, :])
    np.save(tmp_path / "C.npy", cost)
    np.savetxt(tmp_path / "mu.csv", np.full(9, 1 / 9))
    np.save(tmp_path / "sites.npy", np.column_stack([x, np.full(9, 1 / 9)]))
    comotion = _json_run(["sce", str(tmp_path / "sites.npy"), "-N", "3", "--sites"])
    runs = [("enumerate", "bnb"), ("colgen", "bnb"), ("colgen", "highs")]
    for method, engine in runs:
        data = _json_run(
            [
                "nbody",
                str(tmp_path / "C.npy"),
                str(tmp_path / "mu.csv"),
                "-N",
                "3",
                "--method",
                method,
                "--certify",
                "full",
                "--pricing-engine",
                engine,
            ]
        )
        assert data["lower_bound"] <= comotion["upper_bound"] + 1e-9
        assert comotion["lower_bound"] <= data["upper_bound"] + 1e-9
        assert data["status"] == "optimal"


# --- help and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "needle"),
    [
        ("mk2", '"kind": "coherent"'),
        ("dpt", "spin:J"),
        ("sce", "gaussian"),
        ("nbody", "inf on the"),
    ],
)
def test_help_documents_the_file_formats(command: str, needle: str) -> None:
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert needle in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["mk2", "{missing}", "{state}"], "`R` must be an existing file"),
        (["mk2", "{bogus}", "{state}"], "'kind' is one of coherent, fock, number, thermal"),
        (["mk2", "{state}", "{state}", "--max-time", "-1"], "`--max-time` must be a positive"),
        (["dpt", "{matrix}", "{matrix}", "--ops", "spin:x"], "`--ops` must be spin:J"),
        (["dpt", "{matrix}", "{matrix}", "--ops", "{state}"], "`--ops` ("),
        (["sce", "uniform", "-N", "3", "--pair-cost", "gauss"], "`--pair-cost` must be coulomb"),
        (["sce", "uniform", "-N", "3", "--sites"], "`--sites` needs a file of weights"),
        (["sce", "{matrix}", "-N", "3"], "`DENSITY` must be uniform, gaussian or a file"),
        (["nbody", "{matrix}", "{matrix}", "-N", "2"], "`MU` must hold a vector"),
        (["nbody", "{matrix}", "{state}", "-N", "2"], "`MU` ("),
        (["nbody", "{matrix}", "{mu}", "-N", "2", "--tol", "0"], "`--tol` must be"),
        (
            ["nbody", "{matrix}", "{mu}", "-N", "2", "--pricing-engine", "cplex"],
            "`--pricing-engine`",
        ),
        (["nbody", "{matrix}", "{mu}", "-N", "2", "--certify", "most"], "`--certify` must be"),
    ],
)
def test_bad_input_is_one_error_line(tmp_path: Path, arguments: list[str], expected: str) -> None:
    files = {
        "missing": tmp_path / "missing.json",
        "state": _write(tmp_path / "state.json", {"kind": "number", "occupation": 0}),
        "bogus": _write(tmp_path / "bogus.json", {"kind": "bogus"}),
        "matrix": tmp_path / "matrix.npy",
        "mu": tmp_path / "mu.csv",
    }
    np.save(files["matrix"], np.eye(3) / 3)
    files["mu"].write_text("0.5\n0.5\n")
    result = runner.invoke(
        app, [a.format(**{k: str(v) for k, v in files.items()}) for a in arguments]
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0]

"""The reproduction of Caglioti–Golse–Paul 2020: every claim passes, and its building blocks are
right."""

from __future__ import annotations

import math

import numpy as np
import pytest

from qmot.experiments import cgp2020


@pytest.fixture(scope="module")
def report() -> cgp2020.ExperimentReport:
    return cgp2020.run(quick=True)


def test_every_claim_has_a_verdict_and_passes(report: cgp2020.ExperimentReport) -> None:
    keys = {claim.key for claim in report.claims}
    assert {
        "equal-masses",
        "eq7-cost-matrix",
        "eq16-classical-coupling",
        "quantum-cheaper",
        "semiclassical-trend",
        "eq5-toeplitz-bound",
        "husimi-bound",
    } <= keys
    failed = [claim.key for claim in report.claims if not claim.passed]
    assert not failed
    assert report.all_passed
    assert set(report.figures) == {
        "cq_over_cc",
        "semiclassical",
        "husimi",
        "gaussian_fock_convergence",
    }


def test_eq7_reduces_to_c0_when_overlaps_vanish() -> None:
    """Caglioti–Golse–Paul 2020, §2: for λ = μ = 0 the matrix is C_0.

    (a²+b² on the diagonal, −2ab off it.)
    """
    a, b = 1.0, 1.5
    matrix = cgp2020.eq7_matrix(a, b, hbar=1e-3)
    expected = np.full(4, a * a + b * b)
    np.testing.assert_allclose(np.diag(matrix), expected, atol=1e-12)
    assert matrix[0, 3] == pytest.approx(-2 * a * b) and matrix[1, 2] == pytest.approx(-2 * a * b)


def test_the_printed_trace_of_cqq_differs_and_qmot_uses_a_squared(
    report: cgp2020.ExperimentReport,
) -> None:
    rows = report.tables["unequal_masses"]
    for row in rows:
        assert row["tr(C Q_q)"] == pytest.approx(row["-8a²λ²/(1-λ²)"], abs=1e-12)
    by_hbar = {}
    for row in rows:
        by_hbar.setdefault(row["hbar"], set()).add(round(row["tr(C Q_q)"], 12))
    assert all(len(values) == 1 for values in by_hbar.values())  # independent of η


def test_semiclassical_saving_decays_like_lambda_squared(report: cgp2020.ExperimentReport) -> None:
    claim = next(c for c in report.claims if c.key == "semiclassical-trend")
    assert claim.evidence["slope"] == pytest.approx(-2.0, abs=0.3)
    rows = report.tables["semiclassical"]
    assert all(r["saving lower"] > 0 for r in rows)
    assert rows[0]["saving"] < rows[-1]["saving"]
    assert math.isclose(rows[0]["lambda^2"], math.exp(-2 / rows[0]["hbar"]))

"""The Gaussian section of the Caglioti–Golse–Paul reproduction."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.experiments.cgp2020_gaussian import gaussian_w2, quantum_vs_classical, thermal_pairs


def test_gaussian_w2_closed_form_against_one_dimensional_formula() -> None:
    """Commuting covariances: W₂² = |Δm|² + Σ (√σ_i − √σ'_i)²."""
    value = gaussian_w2(np.array([1.0, 0.0]), np.diag([4.0, 1.0]), np.zeros(2), np.diag([1.0, 9.0]))
    assert value == pytest.approx(1.0 + (2 - 1) ** 2 + (1 - 3) ** 2, abs=1e-12)


def test_thermal_claim_passes_and_quantum_is_no_dearer() -> None:
    claim, rows = thermal_pairs([(1.0, 4.0, 0.5)])
    assert claim.passed and rows[0]["closed form"] == pytest.approx(1.0)
    claim, rows = quantum_vs_classical(2)
    assert claim.passed
    assert all(r["C_q upper"] <= r["C_c"] + 1e-9 for r in rows)

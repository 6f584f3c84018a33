"""The reproduction of Cotar–Friesecke–Pass 2015: every claim has a verdict and passes."""

from __future__ import annotations

import pytest

from qmot.experiments import cfp2015


def test_every_claim_passes() -> None:
    report = cfp2015.run(quick=True)
    assert {c.key for c in report.claims} >= {
        "mean-field-limit",
        "product-not-optimal",
        "attractive-costs",
        "non-3-representable",
        "de-finetti",
        "k-hierarchy",
        "two-site-model",
        "uniform-coulomb-1d",
        "sce-1d-mean-field",
    }
    assert [c.key for c in report.claims if not c.passed] == []
    assert set(report.figures) == {"mean_field_gap", "sce_1d", "sce_atoms"}
    gaps = [
        r["F_inf"] - r["F_N"] for r in report.tables["convergence"] if r["cost"] == "Gaussian σ=0.3"
    ]
    assert gaps == sorted(gaps, reverse=True)  # F_N increases towards F_∞
    assert gaps[-1] == pytest.approx(gaps[-1]) and gaps[-1] > 0

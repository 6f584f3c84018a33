"""The reproduction of Wirth 2025: every claim has a verdict and passes."""

from __future__ import annotations

from qmot.experiments import wirth2025


def test_every_claim_passes() -> None:
    report = wirth2025.run(quick=True)
    assert {c.key for c in report.claims} >= {
        "integral-representation",
        "original-identity",
        "pseudometric",
        "pure-states",
        "triangle-pure",
        "subadditivity",
        "triangle-random",
        "triangle-adversarial",
        "unbounded-quadratures",
    }
    assert [c.key for c in report.claims if not c.passed] == []
    assert set(report.figures) == {"triangle_slack", "unbounded"}
    convergence = [row["W²"] for row in report.tables["unbounded"]]
    assert abs(convergence[-1] - convergence[-2]) < abs(convergence[1] - convergence[0])

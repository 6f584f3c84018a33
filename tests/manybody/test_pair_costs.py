from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from qmot.errors import InvalidInputError
from qmot.manybody import (
    Coulomb,
    Exponential,
    Gaussian,
    InverseMultiquadric,
    Quadratic,
    SoftCoulomb,
    TruncatedQuadratic,
    Yukawa,
)


def test_inverse_multiquadric_closed_form_in_one_dimension() -> None:
    """d = 1, β = 1: ℓ̂(k) = (π/λ) e^{−λ|k|}."""
    cost = InverseMultiquadric(0.8, 1.0)
    for k in (0.0, 0.5, 3.0):
        assert cost.fourier(k, 1) == pytest.approx(np.pi / 0.8 * np.exp(-0.8 * k), rel=1e-12)


@pytest.mark.parametrize(
    "cost",
    [Gaussian(0.7), Exponential(1.3), TruncatedQuadratic(1.5)],
)
@pytest.mark.parametrize("k", [0.0, 0.7, 2.5])
def test_one_dimensional_fourier_transforms_by_quadrature(cost, k: float) -> None:
    numeric, _ = quad(lambda z: cost(abs(z)) * np.cos(k * z), -np.inf, np.inf, limit=400)
    assert cost.fourier(k, 1) == pytest.approx(numeric, rel=1e-6, abs=1e-10)


def test_three_dimensional_radial_transforms() -> None:
    """ℓ̂(k) = (4π/k)∫ r ℓ(r) sin(kr) dr in R³: Yukawa and the exponential."""
    k = 1.7
    for cost in (Yukawa(0.9), Exponential(1.1)):
        # r·ℓ(r) decays like e^{-0.9 r}: the tail beyond r = 80 is below 1e-30
        numeric, _ = quad(
            lambda r, c=cost: 4 * np.pi / k * r * float(c(r)),
            1e-12,
            80.0,
            weight="sin",
            wvar=k,
            limit=400,
        )
        assert cost.fourier(k, 3) == pytest.approx(numeric, rel=1e-7)


def test_positive_definiteness_flags_agree_with_sites() -> None:
    rng = np.random.default_rng(0)
    sites = rng.random((25, 2)) * 3
    for cost in (Gaussian(0.5), Exponential(1.0), InverseMultiquadric(1.0, 1.5), SoftCoulomb()):
        assert cost.positive_definite and cost.is_positive_definite_on(sites)
    assert not Quadratic().positive_definite
    assert not Quadratic().is_positive_definite_on(sites)
    assert not TruncatedQuadratic(3.0).is_positive_definite_on(np.linspace(0, 2, 40))


def test_singular_costs_and_validation() -> None:
    matrix = Coulomb().matrix([0.0, 1.0, 3.0])
    assert np.isinf(matrix[0, 0]) and matrix[0, 2] == pytest.approx(1 / 3)
    with pytest.raises(InvalidInputError, match=r"`epsilon` must be a positive finite number"):
        Yukawa(-1.0)
    with pytest.raises(InvalidInputError, match=r"`sigma` must be a finite number > 1 \(got 0.5\)"):
        TruncatedQuadratic(0.5)
    with pytest.raises(InvalidInputError, match="`dim` must be 3 for the Coulomb transform"):
        Coulomb().fourier(1.0, 2)

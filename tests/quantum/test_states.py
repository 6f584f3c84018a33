from __future__ import annotations

import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.quantum import CoherentMixture, FockDensity, coherent_cutoff
from qmot.quantum.phase_space import coherent_fock_amplitudes, truncated_annihilation


def test_coherent_section_compressions_match_a_large_fock_truncation() -> None:
    """⟨e_k|a|e_l⟩ and ⟨e_k|N|e_l⟩ from the closed form vs from Fock amplitudes (cutoff 60)."""
    mixture = CoherentMixture([[0.3, -0.5], [1.0, 0.4], [-0.7, 0.2]], [0.2, 0.5, 0.3], hbar=0.6)
    section = mixture.section()
    basis = coherent_fock_amplitudes(mixture.points, mixture.hbar, 60).T @ section.coefficients
    lowering = truncated_annihilation(60)
    number = lowering.conj().T @ lowering
    np.testing.assert_allclose(basis.conj().T @ basis, np.eye(3), atol=1e-10)
    np.testing.assert_allclose(
        section.annihilation[0], basis.conj().T @ lowering @ basis, atol=1e-9
    )
    np.testing.assert_allclose(section.number[0], basis.conj().T @ number @ basis, atol=1e-9)
    assert np.trace(section.density).real == pytest.approx(1.0)


@pytest.mark.parametrize("gap", [1e-9, 3e-6, 1e-4])
def test_near_coincident_points_give_an_exact_section_without_dropping(gap: float) -> None:
    """Closed forms: tr(R a) = Σ m_i α_i and tr(R N) = Σ m_i |α_i|²; the spectrum of R is that of
    diag(√m) G diag(√m), computed here independently at 60 digits."""
    import mpmath

    points = np.array([[0.0, 0.0], [gap, 0.0], [0.0, gap], [1.0, 1.0]])
    weights = np.array([0.2, 0.3, 0.1, 0.4])
    mixture = CoherentMixture(points, weights, hbar=1.0)
    section = mixture.section()
    assert section.dim == 4
    assert section.dropped_weight == 0.0
    alpha = (points[:, 0] + 1j * points[:, 1]) / np.sqrt(2.0)
    assert np.trace(section.density @ section.annihilation[0]) == pytest.approx(
        weights @ alpha, abs=1e-14
    )
    assert np.trace(section.density @ section.number[0]).real == pytest.approx(
        weights @ np.abs(alpha) ** 2, abs=1e-14
    )
    with mpmath.workdps(60):
        a = [(mpmath.mpf(q) + 1j * mpmath.mpf(p)) / mpmath.sqrt(2) for q, p in points]
        phase = [mpmath.expj(mpmath.mpf(q) * mpmath.mpf(p) / 2) for q, p in points]
        root = [mpmath.sqrt(mpmath.mpf(w)) for w in weights]
        weighted = mpmath.matrix(4, 4)
        for i in range(4):
            for k in range(4):
                overlap = mpmath.exp(
                    -(abs(a[i]) ** 2) / 2 - abs(a[k]) ** 2 / 2 + mpmath.conj(a[i]) * a[k]
                )
                weighted[i, k] = root[i] * root[k] * mpmath.conj(phase[i]) * phase[k] * overlap
        expected = sorted(float(value) for value in mpmath.eigh(weighted)[0])
    np.testing.assert_allclose(np.linalg.eigvalsh(section.density), expected, atol=1e-15)


def test_coincident_points_are_merged() -> None:
    mixture = CoherentMixture([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]], [0.25, 0.25, 0.5], hbar=1.0)
    section = mixture.section()
    assert section.dim == 2
    assert section.dropped_weight == 0.0


def test_zero_weight_points_are_dropped() -> None:
    mixture = CoherentMixture([[0.0, 0.0], [1.0, 0.0]], [1.0, 0.0], hbar=1.0)
    assert mixture.points.shape == (1, 2)


def test_fock_constructors() -> None:
    two_mode = FockDensity.number_state((1, 2), hbar=0.5, cutoff=3)
    assert two_mode.modes == 2 and two_mode.cutoff == 3
    thermal = FockDensity.thermal(0.5, hbar=1.0, cutoff=10)
    assert thermal.truncation_loss == pytest.approx((0.5 / 1.5) ** 11, rel=1e-9)
    product = thermal.tensor(FockDensity.thermal(0.2, hbar=1.0, cutoff=10))
    assert product.modes == 2 and np.trace(product.matrix).real == pytest.approx(1.0)
    mixture = CoherentMixture([[2.0, 1.0]], hbar=0.5)
    cutoff = coherent_cutoff(mixture, loss=1e-8)
    assert (
        mixture.to_fock(cutoff).truncation_loss
        <= 1e-8
        < mixture.to_fock(cutoff - 1).truncation_loss
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"points": [[0.0, 0.0]], "weights": [-1.0]}, "`weights` must be non-negative"),
        ({"points": [[0.0, 0.0], [1, 1]], "weights": [0.3, 0.3]}, "`weights` must sum to 1"),
        (
            {"points": [[0.0, 0.0]], "hbar": 0.0},
            r"`hbar` must be a positive finite number \(got 0.0\)",
        ),
        ({"points": [[0.0, 0.0]], "hbar": -1}, "`hbar` must be a positive finite number"),
        ({"points": [[0.0, 0.0, 1.0]]}, r"`points` must have an even number 2d of columns .*got 3"),
        ({"points": [[np.nan, 0.0]]}, "`points` must be finite"),
    ],
)
def test_coherent_mixture_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        CoherentMixture(**kwargs)


@pytest.mark.parametrize(
    ("matrix", "modes", "message"),
    [
        ([[0.5, 0.5], [0.0, 0.5]], 1, "`matrix` must be Hermitian"),
        (np.diag([1.5, -0.5]), 1, "`matrix` must be positive semidefinite"),
        (np.eye(2), 1, r"`matrix` must have trace 1 within 1e-09 \(got 2\)"),
        (
            np.eye(3) / 3,
            2,
            r"`matrix` must have size \(cutoff\+1\)\^modes for modes=2 \(got size 3\)",
        ),
        (np.eye(4) / 4, 0, r"`modes` must be at least 1 \(got 0\)"),
    ],
)
def test_fock_density_bad_input(matrix: object, modes: int, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        FockDensity(matrix, hbar=1.0, modes=modes)


def test_fock_tensor_requires_same_hbar_and_cutoff() -> None:
    state = FockDensity.number_state(1, hbar=1.0, cutoff=2)
    with pytest.raises(InvalidInputError, match=r"`other.hbar` must equal 1\.0"):
        state.tensor(FockDensity.number_state(1, hbar=0.5, cutoff=2))
    with pytest.raises(InvalidInputError, match=r"`other\.cutoff` must equal 2"):
        state.tensor(FockDensity.number_state(1, hbar=1.0, cutoff=3))

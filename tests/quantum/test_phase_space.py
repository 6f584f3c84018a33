"""Coherent-state algebra against the position-space definition (Caglioti–Golse–Paul 2020, §1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmot.quantum.phase_space import (
    coherent_fock_amplitudes,
    coherent_overlaps,
    embed_mode_operator,
    truncated_annihilation,
)

coordinate = st.floats(-2.0, 2.0, allow_nan=False)


def _wavefunction(x: np.ndarray, q: float, p: float, hbar: float) -> np.ndarray:
    return (np.pi * hbar) ** -0.25 * np.exp(-((x - q) ** 2) / (2 * hbar) + 1j * p * x / hbar)


@given(st.tuples(coordinate, coordinate, coordinate, coordinate), st.floats(0.2, 2.0))
def test_overlap_equals_position_space_integral(z: tuple[float, ...], hbar: float) -> None:
    x = np.linspace(-14, 14, 40001)
    first, second = np.array([z[:2]]), np.array([z[2:]])
    integral = np.trapezoid(
        _wavefunction(x, *z[:2], hbar).conj() * _wavefunction(x, *z[2:], hbar), x
    )
    assert coherent_overlaps(first, second, hbar)[0, 0] == pytest.approx(integral, abs=1e-9)


@given(st.lists(st.tuples(coordinate, coordinate, coordinate, coordinate), min_size=1, max_size=3))
def test_two_mode_overlap_modulus_and_fock_amplitudes(points: list[tuple[float, ...]]) -> None:
    hbar = 0.8
    array = np.array(points)
    gram = coherent_overlaps(array, array, hbar)
    distances = np.sum((array[:, None, :] - array[None, :, :]) ** 2, axis=2)
    np.testing.assert_allclose(np.abs(gram) ** 2, np.exp(-distances / (2 * hbar)), atol=1e-12)
    amplitudes = coherent_fock_amplitudes(array, hbar, cutoff=30)
    np.testing.assert_allclose(amplitudes.conj() @ amplitudes.T, gram, atol=1e-9)


def test_truncated_ladder_and_embedding() -> None:
    lowering = truncated_annihilation(3)
    np.testing.assert_allclose(np.diag(lowering.conj().T @ lowering), [0, 1, 2, 3])
    two_mode = embed_mode_operator(lowering, 1, 2)
    np.testing.assert_allclose(two_mode, np.kron(np.eye(4), lowering))

"""Adversarial input generators shared by the honesty tests and ``benchmarks/honesty_search.py``.

Every generator takes a ``numpy.random.Generator`` so hypothesis (which draws the seed) and
the standalone search (which loops over seeds) explore the same families.
"""

from __future__ import annotations

import numpy as np


def unitary(rng: np.random.Generator, n: int) -> np.ndarray:
    """Haar-random unitary (QR of a Ginibre matrix with the phase fix)."""
    z = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def ill_conditioned_state(rng: np.random.Generator, n: int, smallest: float = 1e-14) -> np.ndarray:
    """A density matrix with random eigenvectors and eigenvalues spread down to ``smallest``
    (log-uniform), sometimes with exact zeros (rank-deficient) or a pure state."""
    kind = rng.integers(0, 4)
    if kind == 0:
        values = np.zeros(n)
        values[0] = 1.0  # pure
    else:
        values = 10.0 ** rng.uniform(np.log10(smallest), 0.0, size=n)
        if kind == 1:
            values[rng.integers(0, n)] = 0.0  # rank-deficient
        values[0] = 1.0
    values = values / values.sum()
    u = unitary(rng, n)
    state = (u * values) @ u.conj().T
    return (state + state.conj().T) / 2


def random_hermitian(rng: np.random.Generator, n: int) -> np.ndarray:
    g = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return (g + g.conj().T) / 2


def near_coincident_points(
    rng: np.random.Generator, count: int, modes: int = 1, spread: float | None = None
) -> np.ndarray:
    """``count`` phase-space points within ``spread`` (default log-uniform in 1e-6..1e-3) of
    one random centre."""
    spread = 10.0 ** rng.uniform(-6, -3) if spread is None else spread
    centre = rng.normal(size=2 * modes)
    return centre + spread * rng.uniform(-1, 1, size=(count, 2 * modes))


def hbar(rng: np.random.Generator) -> float:
    """ħ log-uniform in 1e-3..1e2."""
    return float(10.0 ** rng.uniform(-3, 2))


def fock_state(rng: np.random.Generator, cutoff: int) -> np.ndarray:
    return ill_conditioned_state(rng, cutoff + 1)


def reproducer_coupling() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``C = σ_x ⊗ σ_z``, ``R = diag(1-ε, ε)`` (ε = 5e-13), ``S = I/2``."""
    eps = 5e-13
    sx = np.array([[0.0, 1.0], [1.0, 0.0]])
    sz = np.diag([1.0, -1.0])
    return np.kron(sx, sz), np.diag([1 - eps, eps]), np.eye(2) / 2

"""The rounding-margin rule and the exact evaluations of :mod:`qmot.certify.margins`, against
exact rational arithmetic (``fractions``)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from qmot.certify.margins import (
    certified_least_eigenvalue,
    certified_pairing,
    exact_quadratic_trace,
    rounding_margin,
)
from qmot.linalg import random_density_matrix

seeds = st.integers(0, 2**32 - 1)


def _exact_pairing(first: np.ndarray, second: np.ndarray) -> Fraction:
    return sum(
        (
            Fraction(a.real) * Fraction(b.real) + Fraction(a.imag) * Fraction(b.imag)
            for a, b in zip(first.ravel(), second.ravel(), strict=True)
        ),
        Fraction(0),
    )


@settings(max_examples=30)
@given(seeds, st.integers(1, 6), st.floats(-20, 20))
def test_pairing_error_bound_holds_in_exact_arithmetic(seed: int, size: int, power: float) -> None:
    rng = np.random.default_rng(seed)
    first = (rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))) * 10**power
    second = rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))
    value, error = certified_pairing(first, second)
    assert abs(Fraction(value) - _exact_pairing(first, second)) <= Fraction(error)


def test_pairing_of_exact_terms_has_no_error() -> None:
    assert certified_pairing(np.eye(3), np.diag([0.25, 0.5, 0.25])) == (1.0, 0.0)


@settings(max_examples=20)
@given(seeds, st.integers(2, 5))
def test_quadratic_trace_of_cut_eigenvectors_is_exact(seed: int, size: int) -> None:
    """tr(W* R W) of a dense rank-1 state's kernel vectors: 1e-17-sized, computed exactly."""
    state = random_density_matrix(size, 1, seed=seed)
    vectors = np.linalg.eigh(state)[1][:, :-1]
    value, error = exact_quadratic_trace(vectors, state)
    exact = Fraction(0)
    for column in vectors.T:
        for i in range(size):
            for j in range(size):
                w_i, m, w_j = column[i], state[i, j], column[j]
                a, b = Fraction(w_i.real), Fraction(w_i.imag)
                c, d = Fraction(m.real), Fraction(m.imag)
                e, f = Fraction(w_j.real), Fraction(w_j.imag)
                exact += a * c * e + b * d * e - a * d * f + b * c * f
    assert abs(Fraction(value) - exact) <= Fraction(error)
    assert abs(value) < 1e-14  # far below the naive rounding of the evaluation


@settings(max_examples=20)
@given(seeds, st.integers(1, 8))
def test_certified_least_eigenvalue_is_below_the_true_one(seed: int, size: int) -> None:
    """A diagonal matrix conjugated by a permutation has exactly known eigenvalues."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=size)
    permutation = np.eye(size)[rng.permutation(size)]
    matrix = permutation @ np.diag(values) @ permutation.T
    bound = certified_least_eigenvalue(matrix)
    assert bound <= values.min()
    margin = rounding_margin(np.linalg.norm(values), size)
    assert values.min() - bound <= margin + 4 * np.finfo(float).eps * abs(values.min())

"""qmot's structured interior-point method against Clarabel and against the certificates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmot.ipm import _Constraints, solve_coupling_ipm
from qmot.linalg import partial_trace, random_density_matrix
from qmot.sdp import coupling_sdp
from tests.conftest import random_hermitian


@settings(max_examples=10)
@given(r=st.integers(2, 5), s=st.integers(2, 5), seed=st.integers(0, 2**32 - 1))
def test_ipm_and_clarabel_brackets_overlap(r: int, s: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    first, second = random_density_matrix(r, seed=rng), random_density_matrix(s, seed=rng)
    cost = random_hermitian(r * s, rng)
    ours = coupling_sdp(cost, first, second, solver="QMOT-IPM")
    theirs = coupling_sdp(cost, first, second, solver="CLARABEL")
    assert ours.status == "optimal" and ours.gap <= 1e-7 * max(1.0, abs(ours.cost))
    assert max(ours.lower_bound, theirs.lower_bound) <= min(ours.upper_bound, theirs.upper_bound)


def test_raw_ipm_iterate_is_nearly_feasible_and_optimal(rng: np.random.Generator) -> None:
    first, second = random_density_matrix(3, seed=1), random_density_matrix(4, seed=2)
    cost = random_hermitian(12, rng)
    out = solve_coupling_ipm(cost, first, second)
    assert out.status == "optimal" and out.relative_gap <= 1e-10
    np.testing.assert_allclose(partial_trace(out.coupling, (3, 4), 2), first, atol=1e-8)
    np.testing.assert_allclose(partial_trace(out.coupling, (3, 4), 1), second, atol=1e-8)
    assert np.linalg.eigvalsh(out.coupling)[0] > -1e-12


def test_constraint_map_adjoint(rng: np.random.Generator) -> None:
    constraints = _Constraints(3, 2)
    x = random_hermitian(6, rng)
    y = rng.normal(size=constraints.size)
    # ⟨y, A(X)⟩ = Re tr(A*(y) X)
    assert y @ constraints.apply(x) == pytest.approx(np.trace(constraints.adjoint(y) @ x).real)


def test_schur_matrix_matches_its_definition(rng: np.random.Generator) -> None:
    constraints = _Constraints(2, 3)
    x = random_density_matrix(6, seed=3)
    w = np.linalg.inv(random_density_matrix(6, seed=4))
    matrix = constraints.schur(x, w)
    basis = [np.kron(h, np.eye(3)) for h in constraints.first_basis] + [
        np.kron(np.eye(2), h) for h in constraints.second_basis
    ]
    expected = np.array([[np.trace(a @ x @ b @ w).real for b in basis] for a in basis])
    np.testing.assert_allclose(matrix, (expected + expected.T) / 2, atol=1e-12)

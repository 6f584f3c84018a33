"""Certificates for the given marginals after a support cut (:mod:`qmot.certify.supports`),
against closed forms and explicitly built couplings."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.certify.supports import cut_penalty, lift_coupling, lift_lower_bound, split_support
from qmot.linalg import partial_trace, random_density_matrix
from qmot.sdp import certify_dual, reduce_to_supports, solve_reduced_coupling

EPS = 5e-13


def _qubit_example() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    first = np.diag([1 - EPS, EPS])
    second = np.eye(2) / 2
    cost = np.kron([[0.0, 1.0], [1.0, 0.0]], np.diag([1.0, -1.0])).astype(complex)
    return cost, first, second


def test_cut_lower_bound_is_below_an_explicit_coupling_and_nearly_tight() -> None:
    """R = diag(1-ε, ε): the reduced problem (ε cut) has optimum 0, the explicit coupling
    [[(1-ε)S, X], [X*, εS]], X = -t√(ε(1-ε)) σ_z/2, costs -2t√(ε(1-ε)) for |t| <= 1."""
    cost, first, second = _qubit_example()
    problem = reduce_to_supports(cost, first, second, rtol=1e-12)
    assert problem.dims == (1, 2)
    raw = solve_reduced_coupling(problem)
    a, b, _, _ = certify_dual(problem, raw[1], raw[2])
    first_cut, second_cut = problem.cuts
    U, V = problem.first_basis, problem.second_basis
    lower, _, penalty = lift_lower_bound(
        cost, first_cut, second_cut, U.T @ first @ U, V.T @ second @ V, a, b
    )
    explicit_optimum = -2 * np.sqrt(EPS * (1 - EPS))
    assert lower <= explicit_optimum
    assert lower >= 1.5 * explicit_optimum  # the √ε penalty is attained up to a small factor
    assert penalty == pytest.approx(cut_penalty(cost, first_cut, second_cut), rel=1e-6)


def test_lifted_coupling_has_the_given_marginals() -> None:
    rng = np.random.default_rng(3)
    first = random_density_matrix(3, seed=rng)
    values, vectors = np.linalg.eigh(first)
    values[0] = 1e-13
    first = vectors @ np.diag(values / values.sum()) @ vectors.conj().T
    second = random_density_matrix(2, seed=rng)
    g = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
    cost = (g + g.conj().T) / 2
    problem = reduce_to_supports(cost, first, second, rtol=1e-10)
    assert problem.dims == (2, 2)
    reduced = np.kron(problem.first, problem.second)
    coupling, upper = lift_coupling(cost, first, second, *problem.cuts, reduced)
    assert np.linalg.eigvalsh(coupling)[0] >= -1e-15
    assert np.abs(partial_trace(coupling, (3, 2), traced=2) - first).max() <= 1e-15
    assert np.abs(partial_trace(coupling, (3, 2), traced=1) - second).max() <= 1e-15
    assert upper >= np.trace(cost @ coupling).real


def test_rounding_floor_eigenvalues_cost_nothing() -> None:
    """A dense pure state's kernel eigenvalues (about 1e-17) are at the floor: zero weight."""
    state = random_density_matrix(4, 1, seed=7)
    cut = split_support(state, 1e-12)
    assert cut.kept.shape[1] == 1
    assert cut.weight == 0.0
    resolved = split_support(np.diag([1 - 1e-13, 1e-13]), 1e-12)
    assert resolved.weight >= 1e-13

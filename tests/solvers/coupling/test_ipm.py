"""qmot's structured interior-point method against Clarabel and against the certificates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import unitary_group

from qmot.certify.coupling import certify_dual, certify_primal
from qmot.linalg import partial_trace, random_density_matrix
from qmot.quantum import dpt_divergence, quadratures, spin
from qmot.quantum.coupling import coupling_sdp
from qmot.quantum.de_palma_trevisan import dpt_cost_operator
from qmot.quantum.states import FockDensity
from qmot.reductions.supports import reduce_to_supports
from qmot.solvers.coupling.ipm import _Constraints, _schur_solver, solve_coupling_ipm
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


def test_schur_solver_survives_a_singular_matrix(rng: np.random.Generator) -> None:
    factor = rng.normal(size=(6, 3))
    matrix = factor @ factor.T  # rank 3: Cholesky fails, regularisation takes over
    rhs = matrix @ rng.normal(size=6)  # consistent right-hand side
    solution = _schur_solver(matrix)(rhs)
    assert np.all(np.isfinite(solution))
    np.testing.assert_allclose(matrix @ solution, rhs, atol=1e-6 * np.linalg.norm(rhs))


def test_end_game_converges_past_the_tolerance_on_thermal_states() -> None:
    # Wirth, "Triangle inequality for a quantum Wasserstein divergence", §3: thermal states
    # n̄ = 0.3 and 1 at Fock cut-off 16 with position/momentum costs; the optimal coupling is
    # nearly rank-deficient and the run used to stall at a relative gap of 1e-7 (the default
    # tolerance), on one side or the other of it depending on the BLAS kernel
    cutoff = 16
    first = FockDensity.thermal(0.3, hbar=1.0, cutoff=cutoff).matrix
    second = FockDensity.thermal(1.0, hbar=1.0, cutoff=cutoff).matrix
    ops = [np.asarray(op) for op in quadratures(cutoff)]
    problem = reduce_to_supports(
        dpt_cost_operator(first, second, ops, ops), first, second.T, rtol=1e-8
    )
    out = solve_coupling_ipm(problem.cost, problem.first, problem.second)
    assert out.status == "optimal" and out.relative_gap <= 1e-10
    lower = certify_dual(problem, out.first_potential, out.second_potential)[2]
    upper = certify_primal(problem, out.coupling)[1]
    assert lower <= upper <= lower + 1e-8 * max(1.0, abs(upper))


@pytest.mark.parametrize("seed", [33, 107])
def test_ill_conditioned_marginals_never_raise(seed: int) -> None:
    # σ with eigenvalues (5.9e-13, 1.3e-10, 1) in a random basis: the Schur matrix is singular
    # to working precision and its factorisation used to raise LinAlgError
    rng = np.random.default_rng(seed)
    basis = unitary_group.rvs(3, random_state=rng)
    sigma = basis @ np.diag([5.9e-13, 1.3e-10, 1.0]) @ basis.conj().T
    sigma = (sigma + sigma.conj().T) / 2
    sigma /= np.trace(sigma).real
    gaussian = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    rho = gaussian @ gaussian.conj().T
    rho /= np.trace(rho).real
    ours = dpt_divergence(rho, sigma, spin(1), solver="QMOT-IPM", support_rtol=0.0)
    assert np.isfinite(ours.lower_bound) and ours.lower_bound <= ours.upper_bound
    # both brackets are certified, so they must overlap
    reference = dpt_divergence(rho, sigma, spin(1), solver="CLARABEL", support_rtol=0.0)
    assert ours.lower_bound <= reference.upper_bound
    assert reference.lower_bound <= ours.upper_bound

"""The coupling SDP against independent oracles: the classical LP, closed forms,
weak duality on explicit couplings, a second solver, and certificate checks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

from qmot.classical import w2_1d
from qmot.errors import InvalidInputError, SolverError
from qmot.linalg import kron_left, kron_right, partial_trace, random_density_matrix
from qmot.quantum.coupling import coupling_sdp
from tests.conftest import random_hermitian


def _linprog_ot(cost: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    m, n = cost.shape
    rows = np.kron(np.eye(m), np.ones(n))
    cols = np.kron(np.ones(m), np.eye(n))
    result = linprog(
        cost.ravel(),
        A_eq=np.vstack([rows, cols]),
        b_eq=np.concatenate([a, b]),
        bounds=(0, None),
        method="highs",
    )
    assert result.status == 0
    return float(result.fun)


@given(m=st.integers(2, 4), n=st.integers(2, 4), seed=st.integers(0, 2**32 - 1))
def test_commuting_marginals_with_diagonal_cost_equal_the_classical_lp(
    m: int, n: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.dirichlet(np.ones(m)), rng.dirichlet(np.ones(n))
    cost = rng.random((m, n))
    result = coupling_sdp(np.diag(cost.ravel()), np.diag(a), np.diag(b))
    expected = _linprog_ot(cost, a, b)
    assert result.status == "optimal"
    assert result.lower_bound - 1e-9 <= expected <= result.upper_bound + 1e-9
    assert result.cost == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize(("m", "n"), [(3, 4), (4, 2), (1, 3)])
def test_pure_first_marginal_forces_the_product_coupling(
    m: int, n: int, rng: np.random.Generator
) -> None:
    pure = random_density_matrix(m, 1, seed=11)
    other = random_density_matrix(n, seed=12)
    cost = random_hermitian(m * n, rng)
    expected = float(np.trace(cost @ np.kron(pure, other)).real)
    for first, second, c in [(pure, other, cost), (other, pure, _swap(cost, m, n))]:
        result = coupling_sdp(c, first, second)
        assert result.solver.startswith("closed-form")
        assert result.cost == pytest.approx(expected, abs=1e-12)
        assert result.gap <= 1e-12


def _swap(cost: np.ndarray, m: int, n: int) -> np.ndarray:
    """The same operator written on K ⊗ H instead of H ⊗ K."""
    return cost.reshape(m, n, m, n).transpose(1, 0, 3, 2).reshape(m * n, m * n)


@given(
    m=st.integers(2, 4),
    n=st.integers(2, 4),
    seed=st.integers(0, 2**32 - 1),
    deficient=st.booleans(),
)
def test_random_instances_are_certified_and_the_certificates_hold(
    m: int, n: int, seed: int, deficient: bool
) -> None:
    rng = np.random.default_rng(seed)
    first = random_density_matrix(m, max(1, m - 1) if deficient else m, seed=rng)
    second = random_density_matrix(n, seed=rng)
    cost = random_hermitian(m * n, rng)
    result = coupling_sdp(cost, first, second)
    assert result.status == "optimal"
    assert result.gap <= 1e-7 * max(1.0, abs(result.cost))
    # the returned coupling is a coupling, and it attains the reported cost
    coupling = result.coupling
    assert np.linalg.eigvalsh(coupling).min() >= -1e-12
    np.testing.assert_allclose(partial_trace(coupling, (m, n), 2), first, atol=1e-12)
    np.testing.assert_allclose(partial_trace(coupling, (m, n), 1), second, atol=1e-12)
    assert np.trace(cost @ coupling).real == pytest.approx(result.upper_bound, abs=1e-12)
    # the potentials: their objective is the lower bound, and the slack is PSD on the supports
    a, b = result.potentials["A"], result.potentials["B"]
    dual_value = np.trace(first @ a).real + np.trace(second @ b).real
    assert dual_value == pytest.approx(result.lower_bound, abs=1e-10)
    projector = np.kron(_range_projector(first), _range_projector(second))
    slack = projector @ (cost - kron_left(a, n) - kron_right(m, b)) @ projector
    assert np.linalg.eigvalsh(slack).min() >= -1e-10


def _range_projector(rho: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(rho)
    keep = vectors[:, values > 1e-12 * values.max()]
    return keep @ keep.conj().T


@given(m=st.integers(2, 4), n=st.integers(2, 4), seed=st.integers(0, 2**32 - 1))
def test_weak_duality_against_explicit_couplings(m: int, n: int, seed: int) -> None:
    """lower_bound ≤ tr(C Q) for couplings built by hand from the eigenbases of R and S."""
    rng = np.random.default_rng(seed)
    first, second = random_density_matrix(m, seed=rng), random_density_matrix(n, seed=rng)
    cost = random_hermitian(m * n, rng)
    result = coupling_sdp(cost, first, second)
    lam, e = np.linalg.eigh(first)
    mu, f = np.linalg.eigh(second)
    plan = w2_1d(rng.normal(size=m), lam, rng.normal(size=n), mu, normalize=True).plan
    coupling = sum(
        plan[i, j] * np.kron(np.outer(e[:, i], e[:, i].conj()), np.outer(f[:, j], f[:, j].conj()))
        for i in range(m)
        for j in range(n)
    )
    for candidate in (coupling, np.kron(first, second)):
        assert result.lower_bound <= np.trace(cost @ candidate).real + 1e-10


def test_a_second_solver_gives_an_overlapping_bracket(rng: np.random.Generator) -> None:
    first, second = random_density_matrix(3, seed=1), random_density_matrix(3, 2, seed=2)
    cost = random_hermitian(9, rng)
    clarabel = coupling_sdp(cost, first, second, solver="CLARABEL")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scs = coupling_sdp(cost, first, second, solver="SCS", tol=1e-3)
    assert max(clarabel.lower_bound, scs.lower_bound) <= min(clarabel.upper_bound, scs.upper_bound)
    assert scs.cost == pytest.approx(clarabel.cost, abs=1e-3)


def test_rank_deficient_instance_fails_without_reduction_and_succeeds_with_it(
    rng: np.random.Generator,
) -> None:
    import cvxpy as cp

    m = n = 4
    first, second = random_density_matrix(m, 2, seed=5), random_density_matrix(n, 2, seed=6)
    cost = random_hermitian(m * n, rng)
    coupling = cp.Variable((m * n, m * n), hermitian=True)
    naive = cp.Problem(
        cp.Minimize(cp.real(cp.trace(cost @ coupling))),
        [
            coupling >> 0,
            cp.partial_trace(coupling, [m, n], axis=1) == first,
            cp.partial_trace(coupling, [m, n], axis=0) == second,
        ],
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            naive.solve(solver="CLARABEL")
        naive_status = naive.status
    except cp.error.SolverError:
        naive_status = "solver_error"
    assert naive_status != "optimal"
    result = coupling_sdp(cost, first, second)
    assert result.status == "optimal"
    assert result.info["reduced_dims"] == (2, 2)
    assert result.gap <= 1e-8


def test_stopped_solver_returns_a_valid_bracket_with_an_honest_status(
    rng: np.random.Generator,
) -> None:
    first, second = random_density_matrix(3, seed=3), random_density_matrix(3, seed=4)
    cost = random_hermitian(9, rng)
    exact = coupling_sdp(cost, first, second).cost
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stopped = coupling_sdp(cost, first, second, solver="SCS", solver_options={"max_iters": 1})
    assert stopped.status == "gap_exceeds_tolerance"
    assert stopped.lower_bound <= exact + 1e-9 <= stopped.upper_bound + 2e-9


def test_solver_without_a_solution_raises_solver_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import cvxpy as cp

    def no_solution(self: cp.Problem, *args: object, **kwargs: object) -> None:
        self._status = "solver_error"

    monkeypatch.setattr(cp.Problem, "solve", no_solution)
    with pytest.raises(
        SolverError, match=r"returned no solution \(solver=CLARABEL; status=solver_error\)"
    ):
        coupling_sdp(np.eye(4), np.eye(2) / 2, np.eye(2) / 2, solver="CLARABEL")


def test_bad_input_is_rejected_before_any_solver() -> None:
    half = np.eye(2) / 2
    with pytest.raises(
        InvalidInputError,
        match=r"`C` must act on H ⊗ K of dimension 2·3 = 6 \(got shape \(4, 4\)\)",
    ):
        coupling_sdp(np.eye(4), half, np.eye(3) / 3)
    with pytest.raises(
        InvalidInputError,
        match=(
            r"`solver` must be one of \('AUTO', 'QMOT-IPM', 'QMOT-ENTROPIC', 'CLARABEL', 'SCS'\)"
            r" or a solver object \(got 'MOSEK'\)"
        ),
    ):
        coupling_sdp(np.eye(4), half, half, solver="MOSEK")
    with pytest.raises(InvalidInputError, match=r"`tol` must be a positive number \(got -1\)"):
        coupling_sdp(np.eye(4), half, half, tol=-1)
    with pytest.raises(InvalidInputError, match="`R` must have trace 1"):
        coupling_sdp(np.eye(4), np.eye(2), half)
    with pytest.raises(InvalidInputError, match="`S` must be positive semidefinite"):
        coupling_sdp(np.eye(4), half, np.diag([1.5, -0.5]))
    with pytest.raises(InvalidInputError, match="`C` must be Hermitian"):
        coupling_sdp(np.triu(np.ones((4, 4))), half, half)


@pytest.mark.parametrize("side", [0, 1])
def test_structured_congruence_matches_the_kronecker_product(side: int) -> None:
    from qmot.certify.coupling import _congruence

    rng = np.random.default_rng(side)
    r, s = 3, 4
    coupling = random_hermitian(r * s, rng)
    size = r if side == 0 else s
    factor = rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))
    full = np.kron(factor, np.eye(s)) if side == 0 else np.kron(np.eye(r), factor)
    np.testing.assert_allclose(
        _congruence(coupling, factor, r, s, side), full @ coupling @ full.conj().T, atol=1e-12
    )


def test_finer_scaling_certifies_a_near_rank_deficient_coupling_no_worse() -> None:
    from qmot.certify.coupling import FINE_SCALING_SWEEPS, certify_primal
    from qmot.reductions.supports import reduce_to_supports

    rng = np.random.default_rng(7)
    r = s = 5
    first, second = random_density_matrix(r, seed=rng), random_density_matrix(s, seed=rng)
    problem = reduce_to_supports(random_hermitian(r * s, rng), first, second, rtol=1e-12)
    first, second = problem.first, problem.second  # certify_primal works in these coordinates
    reference = coupling_sdp(problem.cost, first, second, solver="QMOT-IPM")
    assert reference.gap <= 1e-7
    # a rank-deficient near-coupling, like a Gibbs state at small ε: the optimum's range, tilted
    values, vectors = np.linalg.eigh(reference.coupling)
    kept = vectors[:, values > 1e-9] + 1e-3 * (rng.normal(size=(r * s, int((values > 1e-9).sum()))))
    near = kept @ kept.conj().T
    near /= np.trace(near).real
    upper = {}
    for sweeps in (2, FINE_SCALING_SWEEPS):
        certified, upper[sweeps] = certify_primal(problem, near, scaling_sweeps=sweeps)
        np.testing.assert_allclose(partial_trace(certified, (r, s), 2), first, atol=1e-10)
        np.testing.assert_allclose(partial_trace(certified, (r, s), 1), second, atol=1e-10)
        assert np.linalg.eigvalsh(certified)[0] >= -1e-12
        assert upper[sweeps] >= reference.lower_bound - 1e-9  # weak duality
    assert upper[FINE_SCALING_SWEEPS] <= upper[2] + 1e-12
    assert upper[FINE_SCALING_SWEEPS] - reference.upper_bound < upper[2] - reference.upper_bound


def test_auto_hands_a_crashed_stage_over_and_names_the_path(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A singular factorisation inside QMOT-IPM must not escape: Clarabel takes over."""
    import qmot.solvers.coupling.ipm

    def crash(*args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(qmot.solvers.coupling.ipm, "solve_coupling_ipm", crash)
    first, second = random_density_matrix(3, seed=4), random_density_matrix(2, seed=5)
    cost = random_hermitian(6, rng)
    result = coupling_sdp(cost, first, second)
    assert result.status == "optimal"
    assert result.solver == "QMOT-IPM + CLARABEL"
    assert "LinAlgError" in result.info["solver_status"]
    reference = coupling_sdp(cost, first, second, solver="CLARABEL")
    assert max(result.lower_bound, reference.lower_bound) <= min(
        result.upper_bound, reference.upper_bound
    )


@pytest.mark.parametrize("scale", [1e300, 1e-300])
@pytest.mark.parametrize("solver", ["AUTO", "CLARABEL"])
def test_costs_near_overflow_are_solved_at_a_power_of_two_scale(
    scale: float, solver: str, rng: np.random.Generator
) -> None:
    """Homogeneity: the bracket of s·C is s times that of C (Clarabel used to panic at 1e300)."""
    first, second = random_density_matrix(3, seed=8), random_density_matrix(2, seed=9)
    cost = random_hermitian(6, rng)
    plain = coupling_sdp(cost, first, second, solver=solver)
    scaled = coupling_sdp(cost * scale, first, second, solver=solver)
    assert scaled.status == "optimal"
    assert scaled.lower_bound / scale <= plain.upper_bound + 1e-9
    assert scaled.upper_bound / scale >= plain.lower_bound - 1e-9
    assert scaled.info["cost_scaled_by"] != 1.0

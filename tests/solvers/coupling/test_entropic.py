"""QMOT-ENTROPIC against independent oracles: the interior-point value, closed forms, the
certificates checked from scratch (marginals, positivity, dual feasibility), time limits."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qmot.solvers.coupling.auto
from qmot.errors import InvalidInputError
from qmot.linalg import kron_left, kron_right, partial_trace, random_density_matrix
from qmot.quantum import CoherentMixture, dpt_divergence, mk2
from qmot.quantum.coupling import coupling_sdp
from qmot.results import TransportResult
from qmot.solvers.coupling.entropic import check_entropic_options
from tests.conftest import random_hermitian

SOLVER = "QMOT-ENTROPIC"


def _random_instance(seed: int, r: int, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    first = random_density_matrix(r, seed=rng)
    second = random_density_matrix(s, seed=rng)
    return random_hermitian(r * s, rng), first, second


def _assert_certificates(
    result: TransportResult, cost: np.ndarray, first: np.ndarray, second: np.ndarray
) -> None:
    """Check the bracket's evidence from scratch, without trusting the solver's residuals."""
    r, s = first.shape[0], second.shape[0]
    coupling = result.coupling
    assert result.lower_bound <= result.upper_bound
    np.testing.assert_allclose(partial_trace(coupling, (r, s), 2), first, atol=1e-10)
    np.testing.assert_allclose(partial_trace(coupling, (r, s), 1), second, atol=1e-10)
    assert np.linalg.eigvalsh(coupling)[0] >= -1e-12
    assert np.trace(cost @ coupling).real == pytest.approx(result.upper_bound, abs=1e-10)
    first_potential, second_potential = result.potentials["A"], result.potentials["B"]
    slack = cost - kron_left(first_potential, s) - kron_right(r, second_potential)
    assert np.linalg.eigvalsh((slack + slack.conj().T) / 2)[0] >= 0.0
    dual_value = np.trace(first @ first_potential).real + np.trace(second @ second_potential).real
    assert dual_value == pytest.approx(result.lower_bound, abs=1e-10)


@settings(max_examples=6)
@given(st.integers(0, 10_000), st.integers(2, 4), st.integers(2, 4))
def test_bracket_contains_the_interior_point_value(seed: int, r: int, s: int) -> None:
    cost, first, second = _random_instance(seed, r, s)
    reference = coupling_sdp(cost, first, second, solver="QMOT-IPM")
    assert reference.gap <= 1e-7
    result = coupling_sdp(cost, first, second, solver=SOLVER, tol=1e-5)
    assert result.solver == SOLVER
    assert result.status == "optimal"
    assert result.lower_bound <= reference.upper_bound + 1e-9
    assert result.upper_bound >= reference.lower_bound - 1e-9
    assert result.gap <= 1e-5 * max(1.0, abs(result.upper_bound))
    _assert_certificates(result, cost, first, second)


def test_coherent_mixture_solved_by_the_warm_iteration_is_certified_against_the_ipm() -> None:
    """A coupling large enough (n = 100) for the warm subspace iteration to do most spectra."""
    rng = np.random.default_rng(5)
    mixtures = [
        CoherentMixture(1.5 * rng.normal(size=(10, 2)), rng.dirichlet(np.ones(10)), hbar=0.5)
        for _ in range(2)
    ]
    reference = mk2(*mixtures, solver="QMOT-IPM", support_rtol=1e-8)
    result = mk2(*mixtures, solver=SOLVER, tol=1e-4, support_rtol=1e-8)
    assert reference.gap <= 1e-6
    assert result.status == "optimal"
    assert result.lower_bound <= reference.upper_bound + 1e-9
    assert result.upper_bound >= reference.lower_bound - 1e-9
    evaluations, dense = (
        int(word)
        for word in re.findall(r"(\d+) (?:evaluations|dense)", result.info["solver_status"])
    )
    assert dense < evaluations / 2  # most spectra came from the warm iteration
    # the returned coupling, checked from scratch on the coherent spans
    first, second = mixtures[0].section().density, mixtures[1].section().density
    coupling = result.coupling
    np.testing.assert_allclose(partial_trace(coupling, (10, 10), 2), first, atol=1e-10)
    np.testing.assert_allclose(partial_trace(coupling, (10, 10), 1), second, atol=1e-10)
    assert np.linalg.eigvalsh(coupling)[0] >= -1e-12


def test_dense_and_warm_eigensolvers_give_overlapping_certified_brackets() -> None:
    cost, first, second = _random_instance(21, 8, 8)
    results = [
        coupling_sdp(
            cost, first, second, solver=SOLVER, tol=1e-5, solver_options={"eigensolver": e}
        )
        for e in ("dense", "warm")
    ]
    for result in results:
        assert result.status == "optimal"
        _assert_certificates(result, cost, first, second)
    assert results[0].lower_bound <= results[1].upper_bound + 1e-12
    assert results[1].lower_bound <= results[0].upper_bound + 1e-12
    counts = [
        [int(n) for n in re.findall(r"(\d+) (?:evaluations|dense)", r.info["solver_status"])]
        for r in results
    ]
    (dense_evaluations, dense_spectra), (warm_evaluations, warm_spectra) = counts
    assert dense_spectra >= dense_evaluations  # dense at every evaluation (and certification)
    assert warm_spectra < warm_evaluations / 2


def test_bracket_contains_the_clarabel_value_for_rank_deficient_marginals() -> None:
    rng = np.random.default_rng(7)
    first = random_density_matrix(4, rank=2, seed=rng)
    second = random_density_matrix(3, seed=rng)
    cost = random_hermitian(12, rng)
    reference = coupling_sdp(cost, first, second, solver="CLARABEL")
    result = coupling_sdp(cost, first, second, solver=SOLVER, tol=1e-5)
    assert result.lower_bound <= reference.upper_bound + 1e-8
    assert result.upper_bound >= reference.lower_bound - 1e-8
    assert result.info["reduced_dims"] == (2, 3)
    assert result.residuals["marginal_R"] <= 1e-10
    assert result.residuals["marginal_S"] <= 1e-10


@pytest.mark.parametrize(("a", "b", "hbar"), [(0.3, 0.8, 0.5), (1.0, 1.4, 1.0)])
def test_equal_masses_golse_paul_closed_form(a: float, b: float, hbar: float) -> None:
    """Seed 000, eq. (13): two symmetric two-point coherent mixtures cost exactly (a − b)²."""
    first = CoherentMixture([[-a, 0.0], [a, 0.0]], hbar=hbar)
    second = CoherentMixture([[-b, 0.0], [b, 0.0]], hbar=hbar)
    result = mk2(first, second, solver=SOLVER, tol=1e-6)
    assert result.lower_bound - 1e-12 <= (a - b) ** 2 <= result.upper_bound + 1e-12
    assert result.gap <= 1e-6 * max(1.0, (a - b) ** 2)
    assert result.solver == SOLVER


def test_dpt_divergence_agrees_with_the_interior_point_route() -> None:
    rng = np.random.default_rng(3)
    rho, sigma = random_density_matrix(3, seed=rng), random_density_matrix(3, seed=rng)
    pauli_like = [random_hermitian(3, rng) for _ in range(2)]
    reference = dpt_divergence(rho, sigma, pauli_like, solver="QMOT-IPM")
    result = dpt_divergence(rho, sigma, pauli_like, solver=SOLVER, tol=1e-6)
    assert result.lower_bound <= reference.upper_bound + 1e-9
    assert result.upper_bound >= reference.lower_bound - 1e-9
    assert result.gap <= 1e-6 * max(1.0, result.upper_bound)
    assert result.residuals["channel_admissibility"] <= 1e-9


def test_tiny_time_limit_returns_an_honest_certified_bracket() -> None:
    cost, first, second = _random_instance(11, 4, 4)
    result = coupling_sdp(cost, first, second, solver=SOLVER, tol=1e-12, max_time=1e-3)
    assert result.status == "time_limit"
    assert not result.success
    _assert_certificates(result, cost, first, second)


def test_unreachable_tolerance_is_not_reported_as_optimal() -> None:
    cost, first, second = _random_instance(12, 3, 3)
    result = coupling_sdp(
        cost, first, second, solver=SOLVER, tol=1e-15, solver_options={"max_evaluations": 40}
    )
    assert result.status == "gap_exceeds_tolerance"
    spent = re.match(r"max_evaluations \((\d+) evaluations", result.info["solver_status"])
    assert spent is not None and 40 <= int(spent.group(1)) <= 42  # the line search ends first
    _assert_certificates(result, cost, first, second)


def test_auto_hands_large_problems_to_the_first_order_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(qmot.solvers.coupling.auto, "AUTO_FIRST_ORDER_DIM", 8)
    cost, first, second = _random_instance(5, 3, 3)
    assert coupling_sdp(cost, first, second, tol=1e-5).solver == SOLVER
    small_cost, small_first, small_second = _random_instance(5, 2, 2)
    assert coupling_sdp(small_cost, small_first, small_second).solver == "QMOT-IPM"


def test_verbose_shows_a_live_table_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    cost, first, second = _random_instance(2, 3, 3)
    quiet = coupling_sdp(cost, first, second, solver=SOLVER, tol=1e-4)
    assert capsys.readouterr().err == ""
    loud = coupling_sdp(cost, first, second, solver=SOLVER, tol=1e-4, verbose=True)
    assert "QMOT-ENTROPIC" in capsys.readouterr().err
    assert loud.upper_bound == pytest.approx(quiet.upper_bound, abs=1e-12)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_time": 0.0}, r"`max_time` must be a positive number of seconds or None \(got 0.0\)"),
        ({"max_time": -1}, r"`max_time` must be a positive number of seconds or None \(got -1\)"),
        ({"max_time": "1"}, r"`max_time` must be a positive number of seconds or None \(got '1'\)"),
        ({"max_time": True}, r"`max_time` must be .* \(got True\)"),
        ({"verbose": "yes"}, r"`verbose` must be True or False \(got 'yes'\)"),
        (
            {"solver_options": {"epsilon_factor": 1.5}},
            r"`solver_options\['epsilon_factor'\]` must be a number in \(0, 1\) \(got 1.5\)",
        ),
        (
            {"solver_options": {"eigensolver": "lanczos"}},
            r"`solver_options\['eigensolver'\]` must be 'warm' or 'dense' \(got 'lanczos'\)",
        ),
        (
            {"solver_options": {"sweeps": 3}},
            r"`solver_options` for QMOT-ENTROPIC must use names from .* \(got 'sweeps'\)",
        ),
    ],
)
def test_bad_options_raise_invalid_input(options: dict, message: str) -> None:
    cost, first, second = _random_instance(1, 2, 2)
    with pytest.raises(InvalidInputError, match=message):
        coupling_sdp(cost, first, second, solver=SOLVER, **options)


def test_bad_options_reach_the_quantum_entry_points() -> None:
    state = CoherentMixture([[0.0, 0.0]], hbar=1.0)
    with pytest.raises(InvalidInputError, match="`max_time`"):
        mk2(state, state, max_time=float("nan"))
    with pytest.raises(InvalidInputError, match="`verbose`"):
        dpt_divergence(np.eye(2) / 2, np.eye(2) / 2, [np.diag([1.0, -1.0])], verbose=1)


def test_option_checker_accepts_the_documented_options() -> None:
    options = {"epsilon_start": 1e-3, "epsilon_factor": 0.3, "memory": 10, "stage_defect": 0.5}
    assert check_entropic_options(options) == options


def _gibbs_marginals_by_expm(
    slack: np.ndarray, epsilon: float, r: int, s: int
) -> tuple[np.ndarray, np.ndarray]:
    """Marginals of e^{-K/ε}/tr e^{-K/ε} by a dense matrix exponential (independent route)."""
    from scipy.linalg import expm

    least = np.linalg.eigvalsh(slack)[0]
    gibbs = expm(-(slack - least * np.eye(r * s)) / epsilon)
    gibbs /= np.trace(gibbs).real
    return partial_trace(gibbs, (r, s), 2), partial_trace(gibbs, (r, s), 1)


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10_000))
def test_warm_eigensolver_matches_dense_spectra_along_a_path(seed: int) -> None:
    from qmot.solvers.coupling.entropic import GIBBS_CUTOFF, _gibbs_marginals, _WarmEigensolver

    rng = np.random.default_rng(seed)
    r = s = 8
    cost = random_hermitian(r * s, rng)
    spread = float(np.ptp(np.linalg.eigvalsh(cost)))
    epsilon = 2e-3 * spread
    solver = _WarmEigensolver(r * s, spread, seed=seed)
    first, second = np.zeros((r, r), complex), np.zeros((s, s), complex)
    for step in range(12):
        # small moves like L-BFGS steps, and at step 6 a jump that pushes a new eigenvalue down
        size = 40 * epsilon if step == 6 else 2 * epsilon
        first = first + size * random_hermitian(r, rng) / r
        second = second + size * random_hermitian(s, rng) / s
        slack = cost - kron_left(first, s) - kron_right(r, second)
        values, vectors = solver.lowest(np.asfortranarray(slack), first, second, epsilon)
        exact = np.linalg.eigvalsh(slack)
        wanted = exact[exact < exact[0] + GIBBS_CUTOFF * epsilon]
        np.testing.assert_allclose(values[: len(wanted)], wanted, atol=1e-9 * spread)
        weights = np.exp(-(values - values[0]) / epsilon)
        found = _gibbs_marginals(vectors, weights / weights.sum(), r, s)
        expected = _gibbs_marginals_by_expm(slack, epsilon, r, s)
        np.testing.assert_allclose(found[0], expected[0], atol=1e-8)
        np.testing.assert_allclose(found[1], expected[1], atol=1e-8)
    assert solver.dense_solves < 12  # the warm iteration did most of the work

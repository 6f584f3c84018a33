"""``qmot.classical.emd2(a, b, M)``: POT's convention, certified, against independent LP solvers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment, linprog

from qmot.classical import emd2
from qmot.errors import InvalidInputError


@pytest.mark.parametrize("seed", range(5))
def test_uniform_square_problem_is_an_assignment(seed: int) -> None:
    """Birkhoff: with uniform weights on n × n an optimal plan is a permutation / n."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    cost = rng.normal(size=(n, n))
    rows, columns = linear_sum_assignment(cost)
    exact = float(cost[rows, columns].sum()) / n
    result = emd2([], [], cost)
    assert result.lower_bound <= exact + 1e-12 and exact <= result.upper_bound + 1e-12
    assert result.status == "optimal" and result.gap <= 1e-9 * max(1.0, abs(exact))


@pytest.mark.parametrize("seed", range(5))
def test_matches_the_highs_linear_program(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n, m = (int(v) for v in rng.integers(1, 7, size=2))
    a, b = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
    cost = rng.uniform(0.0, 5.0, size=(n, m))
    equalities = np.vstack([np.kron(np.eye(n), np.ones(m)), np.kron(np.ones(n), np.eye(m))])
    lp = linprog(cost.ravel(), A_eq=equalities, b_eq=np.concatenate([a, b]), method="highs")
    assert lp.status == 0
    result = emd2(a, b, cost)
    assert result.lower_bound - 1e-9 <= lp.fun <= result.upper_bound + 1e-9
    assert np.allclose(result.plan.sum(axis=1), a, atol=1e-12)
    assert np.allclose(result.plan.sum(axis=0), b, atol=1e-12)


def test_potentials_are_exactly_feasible_and_shifts_move_the_cost() -> None:
    rng = np.random.default_rng(7)
    cost = rng.normal(size=(4, 6))
    a, b = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(6))
    result = emd2(a, b, cost)
    u, v = result.potentials["u"], result.potentials["v"]
    assert np.all(u[:, None] + v[None, :] <= cost)
    shifted = emd2(a, b, cost - 5.0)  # every plan has mass 1; all entries negative now
    assert shifted.lower_bound - 1e-12 <= result.upper_bound - 5.0
    assert result.lower_bound - 5.0 <= shifted.upper_bound + 1e-12


@pytest.mark.parametrize(
    ("a", "b", "M", "expected"),
    [
        ([0.5, 0.5], [1.0], [[1.0, 2.0]], "`a` must be a 1-D array with one weight per point (1)"),
        ([0.5, 0.5], [1.0], [[1.0], [np.inf]], "`M` must be finite (got 1 NaN/inf entries)"),
        ([0.5, 0.5], [1.0], [[1.0], [1e200]], "`M` must have entries of magnitude at most"),
        ([0.5, 0.5], [1.0], [[1j], [0.0]], "`M`"),
        ([0.6, 0.6], [1.0], [[1.0], [0.0]], "`a` must sum to 1"),
        ([0.5, 0.5], [1.0, 0.0, 0.0], [[1.0], [0.0]], "`b` must be a 1-D array with one weight"),
        ([1.5, -0.5], [1.0], [[1.0], [0.0]], "`a` must be non-negative"),
        ([0.5, 0.5], [1.0], [1.0, 0.0], "`M` must be a non-empty 2-D cost matrix"),
    ],
)
def test_bad_input_names_the_argument(a: object, b: object, M: object, expected: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        emd2(a, b, M)  # type: ignore[arg-type]
    assert expected in str(caught.value)


def test_all_negative_costs() -> None:
    """POT's network simplex alone calls this infeasible; the optimum is −10 (off the diagonal)."""
    result = emd2([0.5, 0.5], [0.5, 0.5], [[-2.0, -10.0], [-10.0, -4.0]])
    assert result.lower_bound <= -10.0 <= result.upper_bound and result.status == "optimal"


def test_normalize_rescales_weights() -> None:
    result = emd2([1.0, 1.0], [2.0], [[1.0], [3.0]], normalize=True)
    assert result.lower_bound <= 2.0 <= result.upper_bound

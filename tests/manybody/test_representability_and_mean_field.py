from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmot.errors import InvalidInputError
from qmot.manybody import (
    Exponential,
    Gaussian,
    Quadratic,
    compare_with_mean_field,
    de_finetti_pair_measure,
    hartree,
    is_n_representable,
    mean_field_value,
    representability_hierarchy,
    sce_1d,
    symmetric_ot,
)
from qmot.manybody.occupations import enumerate_configurations, pair_measure


def test_paper_example_is_two_but_not_three_representable_with_certificates() -> None:
    mu2 = np.array([[0.0, 0.5], [0.5, 0.0]])
    yes = is_n_representable(mu2, 2)
    assert yes.representable
    np.testing.assert_allclose(pair_measure(yes.configurations, yes.weights), mu2, atol=1e-12)
    no = is_n_representable(mu2, 3)
    assert not no.representable and no.margin < 0
    for n in enumerate_configurations(2, 3):
        assert np.sum(no.hyperplane * pair_measure(n[None, :], np.ones(1))) >= -1e-12
    assert np.sum(no.hyperplane * mu2) == pytest.approx(no.margin)


@settings(max_examples=10)
@given(st.integers(0, 2**32 - 1), st.integers(2, 5))
def test_pair_measures_of_optimal_plans_are_representable(seed: int, particles: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.random(4)
    result = symmetric_ot(Gaussian(0.4).matrix(x), rng.dirichlet(np.ones(4)), particles)
    assert is_n_representable(result.pair_measure, particles).representable


@pytest.mark.parametrize("particles", [2, 3, 6, 10])
def test_mean_field_bounds_and_non_optimality_of_the_product(particles: int) -> None:
    x = np.linspace(0, 1, 6)
    mu = np.array([0.1, 0.2, 0.2, 0.2, 0.2, 0.1])
    comparison = compare_with_mean_field(Exponential(2.0).matrix(x), mu, particles)
    assert comparison.bounds_hold
    assert comparison.product_gap > 0  # Prop. 3.6: the product measure is not optimal
    assert comparison.diagonal_lower <= comparison.per_pair + 1e-9


def test_quadratic_cost_does_not_converge_to_the_mean_field() -> None:
    """Example 2.13: all particles on one site costs 0 while the product does not."""
    x = np.linspace(0, 1, 5)
    cost, mu = Quadratic().matrix(x), np.full(5, 0.2)
    assert symmetric_ot(cost, mu, 6).cost == pytest.approx(0.0, abs=1e-12)
    assert mean_field_value(cost, mu) > 0.1


def test_de_finetti_distance_is_at_most_one_over_n() -> None:
    x = np.linspace(0, 1, 5)
    for particles in (2, 4, 7):
        result = symmetric_ot(Gaussian(0.3).matrix(x), np.full(5, 0.2), particles)
        p2, distance = de_finetti_pair_measure(result)
        assert distance <= 1 / particles + 1e-12
        assert distance == pytest.approx((1 - np.trace(result.pair_measure)) / particles)
        assert is_n_representable(p2, 6).representable  # P2 is infinitely representable


def test_hierarchy_is_monotone_and_brackets_the_exact_value() -> None:
    x = np.linspace(0, 1, 5)
    rows = representability_hierarchy(Gaussian(0.3).matrix(x), np.full(5, 0.2), 4, [2, 3, 4, 6])
    values = [row["V_k"] for row in rows]
    assert values == sorted(values)
    assert [row["role"] for row in rows] == ["lower bound", "lower bound", "exact", "upper bound"]


def test_sce_1d_refuses_non_convex_costs_unless_forced() -> None:
    with pytest.raises(InvalidInputError, match="must be convex and decreasing"):
        sce_1d([0.0, 1.0], None, 2, Gaussian(1.0))
    forced = sce_1d([0.0, 1.0], None, 2, Gaussian(1.0), force=True)
    assert forced.status == "upper_bound_only" and forced.lower_bound == 0.0


def test_hartree_and_validation() -> None:
    assert hartree([1.0, 1.0], [[0.0, 1.0], [1.0, 0.0]]) == pytest.approx(1.0)
    with pytest.raises(InvalidInputError, match=r"`mu2` must sum to 1"):
        is_n_representable([[0.5, 0.0], [0.0, 0.0]], 2)
    with pytest.raises(InvalidInputError, match="`C` must be 2×2 to match `rho_sites`"):
        hartree([1.0, 1.0], np.eye(3))


def test_grid_and_density_helpers() -> None:
    from qmot.manybody import density_to_marginal, grid_sites

    sites = grid_sites([0.0, 0.0], [1.0, 2.0], [2, 4])
    assert sites.shape == (8, 2) and sites[:, 1].max() == pytest.approx(1.75)
    np.testing.assert_allclose(density_to_marginal([1.0, 2.0, 1.0], 4), [0.25, 0.5, 0.25])
    with pytest.raises(InvalidInputError, match=r"`rho_sites` must integrate to N = 3 \(got 4\)"):
        density_to_marginal([1.0, 2.0, 1.0], 3)
    with pytest.raises(InvalidInputError, match="`upper` must exceed `lower`"):
        grid_sites([1.0], [0.0], 3)

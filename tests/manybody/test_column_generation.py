"""Certified column generation against full enumeration, sce_1d and brute force
(Cotar–Friesecke–Pass 2015)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmot.errors import InvalidInputError
from qmot.manybody import Coulomb, Exponential, Gaussian, Quadratic, sce_1d, symmetric_ot
from qmot.manybody.column_generation import (
    exact_pricing,
    local_search_pricing,
    reduced_costs,
)
from qmot.manybody.occupations import (
    configuration_cost,
    cyclic_quantile_plan,
    enumerate_configurations,
)

COSTS = {
    "coulomb": Coulomb(),
    "gaussian": Gaussian(0.4),
    "exponential": Exponential(1.5),
    "quadratic": Quadratic(),
}


def _marginal(rng: np.random.Generator, sites: int, particles: int, singular: bool) -> np.ndarray:
    weights = rng.dirichlet(np.ones(sites))
    if singular:  # keep N·mu_k ≤ 1 so that the problem is feasible
        weights = 0.5 * weights + 0.5 / sites
        if particles * weights.max() > 1:
            weights = np.full(sites, 1 / sites)
    return weights


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(sorted(COSTS)), st.sampled_from([2, 3]))
def test_column_generation_equals_full_enumeration(seed: int, name: str, dim: int) -> None:
    rng = np.random.default_rng(seed)
    sites, particles = int(rng.integers(5, 9)), int(rng.integers(2, 5))
    pair_cost = COSTS[name]
    cost = pair_cost.matrix(rng.random((sites, dim)))
    mu = _marginal(rng, sites, particles, pair_cost.singular_at_zero)
    exact = symmetric_ot(cost, mu, particles, method="enumerate")
    generated = symmetric_ot(cost, mu, particles, method="colgen", seed=seed % 1000, certify="full")
    assert generated.status == "optimal"
    assert generated.cost == pytest.approx(exact.cost, rel=1e-8, abs=1e-9)
    assert generated.lower_bound <= exact.cost + 1e-9 * max(1.0, exact.cost)
    assert generated.upper_bound >= exact.cost - 1e-9 * max(1.0, exact.cost)
    assert generated.residuals["marginal"] <= 1e-9


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["coulomb", "exponential"]))
def test_column_generation_equals_sce_1d_on_shuffled_sites(seed: int, name: str) -> None:
    """The sites are listed in random order, so the initial quantile pool is not optimal."""
    rng = np.random.default_rng(seed)
    sites, particles = int(rng.integers(8, 16)), int(rng.integers(3, 6))
    x = rng.permutation(np.sort(rng.random(sites)))
    pair_cost = COSTS[name]
    mu = _marginal(rng, sites, particles, pair_cost.singular_at_zero)
    exact = sce_1d(x, mu, particles, pair_cost)
    generated = symmetric_ot(pair_cost.matrix(x), mu, particles, method="colgen", certify="full")
    assert generated.status == "optimal"
    assert generated.cost == pytest.approx(exact.cost, rel=1e-9)
    assert generated.lower_bound <= exact.cost * (1 + 1e-12) <= generated.upper_bound * (1 + 2e-12)
    assert generated.info["rounds"] >= 1 and generated.info["pool"] >= len(generated.weights)


def test_time_limits_return_a_valid_uncertified_bracket() -> None:
    x = np.linspace(0.0, 1.0, 60)
    mu = 0.2 + np.sin(np.pi * np.arange(1, 61) / 61) ** 2
    mu /= mu.sum()
    exact = sce_1d(x, mu, 15, Coulomb()).cost
    for options in ({"max_time": 1e-3}, {"pricing_time": 0.05}):
        result = symmetric_ot(Coulomb().matrix(x), mu, 15, method="colgen", **options)
        assert result.status in {"time_limit", "pricing_time_limit"}
        assert not result.success
        assert result.lower_bound <= exact * (1 + 1e-12)
        assert result.upper_bound >= exact * (1 - 1e-12)
        assert result.lower_bound < result.upper_bound


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_exact_pricing_equals_brute_force(seed: int, singular: bool) -> None:
    """Bounded-integer (binary-expanded) and binary occupations against all configurations."""
    rng = np.random.default_rng(seed)
    sites, particles = int(rng.integers(3, 7)), int(rng.integers(2, 6))
    pair_cost = Coulomb() if singular else Gaussian(float(rng.uniform(0.2, 1.0)))
    if singular:
        particles = min(particles, sites)
    cost = pair_cost.matrix(rng.random((sites, 2)))
    y = rng.normal(scale=5.0, size=sites)
    configurations = enumerate_configurations(sites, particles, single=np.isinf(np.diag(cost)))
    values = reduced_costs(configurations, configuration_cost(configurations, cost), y, particles)
    result = exact_pricing(cost, y, particles, time_limit=30.0)
    assert result.proven
    assert result.value == pytest.approx(values.min(), abs=1e-7)
    assert result.lower_bound <= values.min() + 1e-7
    assert result.configuration.sum() == particles


def test_local_search_returns_only_improving_feasible_columns() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((20, 2))
    cost, particles = Coulomb().matrix(x), 6
    y = rng.normal(scale=200.0, size=20)
    seeds, _ = cyclic_quantile_plan(np.full(20, 1 / 20), particles)
    found = local_search_pricing(cost, y, particles, seeds, rng=rng)
    assert found.shape[0] > 0
    assert np.all(found.sum(axis=1) == particles) and found.max() <= 1
    values = reduced_costs(found, configuration_cost(found, cost), y, particles)
    assert np.all(values < 0)


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1))
def test_cyclic_quantile_plan_has_the_marginal_for_any_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sites, particles = int(rng.integers(2, 30)), int(rng.integers(2, 12))
    mu = rng.dirichlet(np.full(sites, 0.5))
    configurations, weights = cyclic_quantile_plan(mu, particles, rng.permutation(sites))
    assert np.all(configurations.sum(axis=1) == particles)
    assert weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert weights @ configurations / particles == pytest.approx(mu, abs=1e-12)
    crowded = configurations.max(axis=0) > 1
    assert np.all(mu[crowded] > 1 / particles - 1e-12)  # doubles only where mu_k > 1/N


def test_auto_chooses_column_generation_beyond_the_enumeration_budget() -> None:
    x = np.linspace(0.0, 1.0, 14)
    mu = np.full(14, 1 / 14)
    result = symmetric_ot(Coulomb().matrix(x), mu, 5, max_configurations=100)
    assert "column generation" in result.solver and result.status == "optimal"
    assert result.info["columns"] == 2002  # binom(14, 5) binary configurations
    assert result.cost == pytest.approx(sce_1d(x, mu, 5, Coulomb()).cost, rel=1e-10)


def test_verbose_shows_the_bracket_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    x = np.linspace(0.0, 1.0, 10)
    symmetric_ot(Coulomb().matrix(x), np.full(10, 0.1), 3, method="colgen", verbose=True)
    err = capsys.readouterr().err
    assert "pool" in err and "upper" in err and "lower" in err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "simplex"}, "`method` must be one of"),
        (
            {"max_time": -1.0},
            r"`max_time` must be a positive number of seconds or None \(got -1.0\)",
        ),
        (
            {"pricing_time": 0},
            r"`pricing_time` must be a positive number of seconds or None \(got 0\)",
        ),
        ({"tol": 0.0}, r"`tol` must be a positive number \(got 0.0\)"),
    ],
)
def test_bad_options_are_rejected(options: dict, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        symmetric_ot(np.ones((3, 3)), np.full(3, 1 / 3), 2, **options)


def _brute_force_pricing(cost: np.ndarray, y: np.ndarray, particles: int) -> float:
    """min over all N-subsets of Σ_{k<l} C_kl − Σ_k y_k / N (binary occupations)."""
    from itertools import combinations

    return min(
        sum(cost[i, j] for i, j in combinations(subset, 2)) - y[list(subset)].sum() / particles
        for subset in combinations(range(cost.shape[0]), particles)
    )


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000), st.integers(6, 10), st.integers(2, 4))
def test_dnn_pricing_bound_is_below_the_brute_force_minimum(
    seed: int, sites: int, particles: int
) -> None:
    from qmot.manybody.column_generation import dnn_pricing_bound

    rng = np.random.default_rng(seed)
    cost = Coulomb().matrix(rng.uniform(size=(sites, 2)))
    y = rng.normal(20.0, 5.0, size=sites)
    exact = _brute_force_pricing(cost, y, particles)
    bound = dnn_pricing_bound(cost, y, particles)
    assert bound is not None
    assert bound <= exact + 1e-12  # a certified lower bound


def test_dnn_pricing_bound_is_tight_on_a_small_coulomb_instance() -> None:
    from qmot.manybody.column_generation import dnn_pricing_bound

    rng = np.random.default_rng(0)
    cost = Coulomb().matrix(rng.uniform(size=(10, 2)))
    y = rng.normal(20.0, 5.0, size=10)
    exact = _brute_force_pricing(cost, y, 4)
    bound = dnn_pricing_bound(cost, y, 4)
    assert bound is not None
    assert exact - 1e-6 <= bound <= exact + 1e-12


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 7), st.integers(2, 4))
def test_dnn_pricing_bound_holds_for_integer_occupations(
    seed: int, sites: int, particles: int
) -> None:
    """Finite diagonal (Gaussian): occupations 0..N, checked against every configuration."""
    from qmot.manybody.column_generation import dnn_pricing_bound

    rng = np.random.default_rng(seed)
    cost = Gaussian(0.3).matrix(rng.uniform(size=(sites, 2)))
    y = rng.normal(1.0, 1.0, size=sites)
    configurations = enumerate_configurations(sites, particles)
    exact = float(
        reduced_costs(configurations, configuration_cost(configurations, cost), y, particles).min()
    )
    bound = dnn_pricing_bound(cost, y, particles)
    assert bound is not None
    assert bound <= exact + 1e-12


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["coulomb", "gaussian"]))
def test_dnn_lower_bound_is_below_the_enumerated_optimum(seed: int, name: str) -> None:
    """The relaxation bound, maximised over y, never exceeds the exact optimum (certified LP)
    and is at least the relaxation's pricing bound at any fixed y (here a random one)."""
    from qmot.manybody.column_generation import dnn_lower_bound, dnn_pricing_bound

    rng = np.random.default_rng(seed)
    sites, particles = int(rng.integers(5, 8)), int(rng.integers(2, 4))
    pair_cost = COSTS[name]
    cost = pair_cost.matrix(rng.random((sites, 2)))
    mu = _marginal(rng, sites, particles, pair_cost.singular_at_zero)
    exact = symmetric_ot(cost, mu, particles, method="enumerate")
    relaxation = dnn_lower_bound(cost, mu, particles)
    assert relaxation is not None
    bound, y = relaxation
    assert y.shape == (sites,)
    assert bound <= exact.lower_bound + 1e-12 * max(1.0, exact.cost)
    fixed_y = rng.normal(0.0, 2.0 * cost[np.isfinite(cost)].max(), size=sites)
    at_fixed_y = dnn_pricing_bound(cost, fixed_y, particles)
    assert at_fixed_y is not None
    assert bound >= float(mu @ fixed_y) + at_fixed_y - 1e-4 * max(1.0, exact.cost)


def test_dnn_lower_bound_is_tight_where_the_relaxation_is_exact() -> None:
    """Two particles: the doubly nonnegative two-site marginal is the pair density itself
    (its entries are the plan), so the relaxation is exact and the bound meets the optimum."""
    from qmot.manybody.column_generation import dnn_lower_bound

    rng = np.random.default_rng(3)
    cost = Coulomb().matrix(rng.random((8, 2)))
    mu = _marginal(rng, 8, 2, True)
    exact = symmetric_ot(cost, mu, 2, method="enumerate")
    relaxation = dnn_lower_bound(cost, mu, 2)
    assert relaxation is not None
    assert exact.cost - 1e-5 * exact.cost <= relaxation[0] <= exact.cost + 1e-12


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda dnn, cost: dnn.dnn_pricing_bound(cost[:, :3], np.zeros(4), 2), "`cost`"),
        (lambda dnn, cost: dnn.dnn_pricing_bound(cost, np.zeros(3), 2), "`y`"),
        (lambda dnn, cost: dnn.dnn_pricing_bound(cost, np.full(4, np.nan), 2), "`y`"),
        (lambda dnn, cost: dnn.dnn_pricing_bound(cost, np.zeros(4), 1), "`particles`"),
        (lambda dnn, cost: dnn.dnn_lower_bound(-cost, np.full(4, 0.25), 2), "`cost`"),
        (lambda dnn, cost: dnn.dnn_lower_bound(cost, np.full(4, 0.3), 2), "`mu`"),
        (lambda dnn, cost: dnn.dnn_lower_bound(cost, np.full(4, 0.25), 2.0), "`particles`"),
    ],
)
def test_relaxation_bounds_reject_bad_input(call: object, argument: str) -> None:
    from qmot.manybody import column_generation as dnn

    cost = Gaussian(0.4).matrix(np.arange(4.0)[:, None])
    with pytest.raises(InvalidInputError, match=argument):
        call(dnn, cost)  # type: ignore[operator]


@pytest.mark.parametrize("time_limit", [0.05, 0.5])
def test_time_limited_relaxation_bound_stays_below_the_1d_optimum(time_limit: float) -> None:
    """SCS stopped early returns multipliers far from optimal (and not quite feasible); the
    rigorous re-evaluation must still give a bound below the exact 1-D optimum (sce_1d)."""
    from qmot.manybody.column_generation import dnn_lower_bound

    x = np.linspace(0.0, 1.0, 60)
    mu = 0.2 + np.sin(np.pi * np.arange(1, 61) / 61) ** 2
    mu /= mu.sum()
    exact = sce_1d(x, mu, 6, Coulomb()).cost
    relaxation = dnn_lower_bound(Coulomb().matrix(x), mu, 6, time_limit=time_limit)
    if relaxation is not None:  # SCS may return nothing that early
        assert relaxation[0] <= exact + 1e-12 * exact


def test_relaxation_bound_rejects_a_bad_time_limit() -> None:
    from qmot.manybody.column_generation import dnn_lower_bound

    cost = Coulomb().matrix(np.arange(3.0)[:, None])
    with pytest.raises(InvalidInputError, match="`time_limit`"):
        dnn_lower_bound(cost, np.full(3, 1 / 3), 2, time_limit=-1.0)


@settings(max_examples=12, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from(["coulomb", "gaussian"]),
    st.sampled_from([1e-3, 1.0, 100.0]),
)
def test_weak_duality_evaluation_is_valid_for_any_multipliers(
    seed: int, name: str, noise: float
) -> None:
    """The bound is re-evaluated from the multipliers, whatever they are: perturbed far from the
    SDP's optimum (infeasible signs, indefinite slack) it must still stay below the optimum."""
    from qmot.manybody.column_generation import _margin, _solve_dnn_dual, _weak_duality_bound

    rng = np.random.default_rng(seed)
    sites, particles = 6, 3
    pair_cost = COSTS[name]
    cost = pair_cost.matrix(rng.random((sites, 2)))
    mu = _marginal(rng, sites, particles, pair_cost.singular_at_zero)
    exact = symmetric_ot(cost, mu, particles, method="enumerate").lower_bound
    multipliers = _solve_dnn_dual(cost, particles, mu=mu)
    assert multipliers is not None
    for key, value in multipliers.items():
        shape = np.shape(value)  # scalars (a, c) only upwards: that loosens nothing by itself
        kick = rng.standard_normal(shape) if shape else abs(rng.normal())
        multipliers[key] = value + noise * kick
    y = multipliers["y"]
    bound = float(mu @ y) + _weak_duality_bound(cost, y, particles, multipliers)
    assert bound - _margin(cost, mu, y) <= exact

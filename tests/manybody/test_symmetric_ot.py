"""Symmetric N-marginal OT against independent oracles (Cotar–Friesecke–Pass 2015)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from qmot.errors import InfeasibleError, InvalidInputError
from qmot.manybody import Coulomb, Exponential, sce_1d, sce_energy, symmetric_ot


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["coulomb", "exponential"]))
def test_lp_equals_the_1d_cyclic_quantile_solution(seed: int, name: str) -> None:
    rng = np.random.default_rng(seed)
    sites = int(rng.integers(3, 8))
    particles = int(rng.integers(2, min(sites, 5) + 1))
    x = np.sort(rng.random(sites))
    cost = Coulomb() if name == "coulomb" else Exponential(1.5)
    weights = rng.dirichlet(np.ones(sites))
    if name == "coulomb":  # keep N·mu_k ≤ 1
        weights = 0.5 * weights + 0.5 / sites
        if particles * weights.max() > 1:
            weights = np.full(sites, 1 / sites)
    lp = symmetric_ot(cost.matrix(x), weights, particles)
    exact = sce_1d(x, weights, particles, cost)
    assert lp.status == "optimal"
    assert lp.cost == pytest.approx(exact.cost, rel=1e-9, abs=1e-9)
    assert lp.lower_bound <= exact.cost + 1e-9
    assert len(lp.weights) <= sites  # basic optimum


@given(st.integers(2, 12), st.data())
def test_two_site_closed_form(particles: int, data: st.DataObject) -> None:
    """F_N/binom(N,2) = μᵀCμ − p(1−p)Δ/(N−1) for integer Np and Δ > 0."""
    occupied = data.draw(st.integers(0, particles))
    p = occupied / particles
    c_ab = data.draw(st.floats(0.0, 1.0))
    c_aa, c_bb = c_ab + data.draw(st.floats(0.1, 2.0)), c_ab + data.draw(st.floats(0.1, 2.0))
    cost = np.array([[c_aa, c_ab], [c_ab, c_bb]])
    mu = np.array([p, 1 - p])
    delta = c_aa + c_bb - 2 * c_ab
    result = symmetric_ot(cost, mu, particles)
    assert result.cost_per_pair == pytest.approx(
        mu @ cost @ mu - p * (1 - p) * delta / (particles - 1), abs=1e-10
    )


@pytest.mark.parametrize("particles", [2, 3, 5, 8])
def test_uniform_density_coulomb_continuum(particles: int) -> None:
    result = sce_1d(
        np.linspace(0, 1, 21), lambda t: np.ones_like(t), particles, Coulomb(), continuous=True
    )
    expected = particles * sum((particles - k) / k for k in range(1, particles))
    assert result.cost == pytest.approx(expected, rel=1e-10)


def _brute_force(cost: np.ndarray, mu: np.ndarray, particles: int) -> float:
    """The N-marginal LP over all L^N tuples (no symmetry, no occupation numbers)."""
    sites = len(mu)
    tuples = list(itertools.product(range(sites), repeat=particles))
    values = np.array(
        [
            sum(cost[t[i], t[j]] for i in range(particles) for j in range(i + 1, particles))
            for t in tuples
        ]
    )
    allowed = np.isfinite(values)
    rows = []
    for slot in range(particles):
        for site in range(sites):
            rows.append(
                [float(t[slot] == site) for t, ok in zip(tuples, allowed, strict=True) if ok]
            )
    result = linprog(
        values[allowed],
        A_eq=np.array(rows),
        b_eq=np.tile(mu, particles),
        bounds=(0, None),
        method="highs",
    )
    assert result.status == 0
    return float(result.fun)


@settings(max_examples=10)
@given(st.integers(0, 2**32 - 1))
def test_occupation_lp_equals_brute_force_over_all_tuples(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sites, particles = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    points = rng.random((sites, 2))
    cost = np.exp(-np.sum((points[:, None] - points[None]) ** 2, axis=2))
    mu = rng.dirichlet(np.ones(sites))
    assert symmetric_ot(cost, mu, particles).cost == pytest.approx(
        _brute_force(cost, mu, particles), abs=1e-9
    )


def test_sce_energy_is_the_total_and_pair_measure_is_consistent() -> None:
    x = np.linspace(0, 1, 6)
    cost = Coulomb().matrix(x)
    result = sce_energy(np.full(6, 0.5), 3, cost)
    assert result.cost == pytest.approx(math.comb(3, 2) * result.cost_per_pair)
    mu2 = result.pair_measure
    np.testing.assert_allclose(mu2.sum(axis=1), np.full(6, 1 / 6), atol=1e-12)
    assert np.trace(mu2) == pytest.approx(0.0, abs=1e-12)  # Coulomb: never two on one site


def test_bad_input_and_infeasibility() -> None:
    good = np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(InvalidInputError, match="`mu` must be non-negative"):
        symmetric_ot(good, [1.2, -0.2], 2)
    with pytest.raises(InvalidInputError, match="`mu` must be finite"):
        symmetric_ot(good, [np.nan, 1.0], 2)
    with pytest.raises(InvalidInputError, match=r"`C` must be symmetric \(got max \|C - Cᵀ\| = 1"):
        symmetric_ot([[0.0, 1.0], [2.0, 0.0]], [0.5, 0.5], 2)
    with pytest.raises(InvalidInputError, match="`C` must be non-negative"):
        symmetric_ot([[0.0, -1.0], [-1.0, 0.0]], [0.5, 0.5], 2)
    with pytest.raises(InvalidInputError, match=r"`N` must be at least 2 \(got 1\)"):
        symmetric_ot(good, [0.5, 0.5], 1)
    with pytest.raises(InvalidInputError, match=r"`C` must be finite off the diagonal"):
        symmetric_ot([[0.0, np.inf], [np.inf, 0.0]], [0.5, 0.5], 2)
    with pytest.raises(InfeasibleError, match=r"site 0 has C\[0,0\] = \+inf .* N·mu\[0\] = 1\.6"):
        symmetric_ot(Coulomb().matrix([0.0, 1.0]), [0.8, 0.2], 2)
    with pytest.raises(InvalidInputError, match=r'more than max_configurations = 1e.03.*"colgen"'):
        symmetric_ot(
            np.ones((30, 30)), np.full(30, 1 / 30), 10, max_configurations=1000, method="enumerate"
        )
    with pytest.raises(InvalidInputError, match="`rho_sites` must integrate to N = 2"):
        sce_energy([0.5, 0.5], 2, good)

"""sce_1d: discrete plans in O(L N) memory, the sparse occupation matrix, the 1-D potential."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.manybody import Coulomb, Exponential, sce_1d


def test_hundred_thousand_sites_in_linear_memory():
    sites, particles = 100_000, 4
    x = np.linspace(0.0, 1.0, sites)
    result = sce_1d(x, None, particles, Coulomb())
    block, step = sites // particles, 1.0 / (sites - 1)
    # equally spaced uniform sites: each configuration is k, k + L/N, k + 2L/N, ...
    exact = sum(
        1.0 / ((j - i) * block * step) for i in range(particles) for j in range(i + 1, particles)
    )
    assert result.cost == pytest.approx(exact, rel=1e-10)  # 10^5-term cumulative sums
    assert result.configurations is None  # 10^10 entries: not materialised
    assert result.sites.shape[1] == particles
    assert result.sites.shape[0] <= sites + particles
    assert result.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_sites_and_dense_configurations_agree():
    rng = np.random.default_rng(3)
    x, mu = rng.normal(size=9), rng.dirichlet(np.ones(9))
    result = sce_1d(x, mu, 3, Exponential(1.5))
    assert np.array_equal(result.occupation_matrix().toarray(), result.configurations)
    marginal = result.weights @ result.configurations / 3
    assert marginal == pytest.approx(mu, abs=1e-12)


def test_kantorovich_potential_of_the_uniform_density():
    """Uniform density on [0, 1], N = 2: f(x) = x ± 1/2, so u(x) + u(f(x)) = 1/(1/2) = 2
    and N∫u = V = 2 (complementary slackness and strong duality)."""
    grid = np.linspace(0.0, 1.0, 201)
    result = sce_1d(grid, np.ones_like(grid), 2, Coulomb(), continuous=True)
    u = result.potentials["u"]
    x = result.potentials["x"]
    partner = result.comotion[1](x)
    total = u + np.interp(partner, x, u)
    inside = (x > 0.01) & (x < 0.99) & (np.abs(x - 0.5) > 0.01)
    assert np.allclose(total[inside], 2.0, atol=1e-3)
    assert 2 * np.trapezoid(u, x) == pytest.approx(result.cost, rel=1e-9)

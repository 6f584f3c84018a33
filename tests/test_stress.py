"""Robustness of the default solver on many random instances (slow: `pytest -m slow`)."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.linalg import random_density_matrix
from qmot.quantum import dpt_divergence, dpt_original_squared
from qmot.sdp import coupling_sdp
from tests.conftest import random_hermitian


@pytest.mark.slow
def test_default_solver_certifies_800_random_couplings() -> None:
    uncertified = []
    for seed in range(800):
        rng = np.random.default_rng(10_000 + seed)
        m, n = (int(v) for v in rng.integers(2, 7, 2))
        first = random_density_matrix(m, int(rng.integers(1, m + 1)), seed=rng)
        second = random_density_matrix(n, int(rng.integers(1, n + 1)), seed=rng)
        result = coupling_sdp(random_hermitian(m * n, rng), first, second)
        if result.status != "optimal":
            uncertified.append((seed, result.gap))
    assert uncertified == []


@pytest.mark.slow
def test_dpt_identities_on_200_random_pairs() -> None:
    worst = 0.0
    for seed in range(200):
        rng = np.random.default_rng(20_000 + seed)
        dim = int(rng.integers(2, 5))
        rho = random_density_matrix(dim, int(rng.integers(1, dim + 1)), seed=rng)
        sigma = random_density_matrix(dim, int(rng.integers(1, dim + 1)), seed=rng)
        ops = [random_hermitian(dim, rng) for _ in range(2)]
        forward, backward = dpt_divergence(rho, sigma, ops), dpt_divergence(sigma, rho, ops)
        d, d_rho, d_sigma = (
            dpt_original_squared(a, b, ops) for a, b in ((rho, sigma), (rho, rho), (sigma, sigma))
        )
        assert all(r.status == "optimal" for r in (forward, backward, d, d_rho, d_sigma))
        worst = max(
            worst,
            abs(forward.cost - backward.cost),
            abs(d.cost - d_rho.cost / 2 - d_sigma.cost / 2 - forward.cost),
        )
    assert worst <= 1e-7

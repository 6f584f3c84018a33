"""Column generation keeps its arrays O(L · pool + L²): no dense site × configuration table
beyond the pool itself (checked with :mod:`tracemalloc`, which sees every NumPy allocation)."""

from __future__ import annotations

import tracemalloc

import numpy as np

from qmot.manybody import Coulomb, symmetric_ot


def test_column_generation_memory_is_linear_in_the_pool() -> None:
    sites, particles = 240, 40
    x = np.linspace(0.0, 1.0, sites)
    mu = 0.2 + np.sin(np.pi * np.arange(1, sites + 1) / (sites + 1)) ** 2
    mu /= mu.sum()
    cost = Coulomb().matrix(x)
    tracemalloc.start()
    try:
        result = symmetric_ot(cost, mu, particles, method="colgen", certify="none")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    pool = int(result.info["pool"]) + int(result.info["columns_added"])
    budget = 8 * 64 * (sites * pool + sites * sites)  # 64 float arrays of either shape
    # an array of L × L × pool (a pair measure per column, say) would need L / 64 = 3.75
    # times this budget, and any table over the configuration space far more
    assert peak < budget, (peak, budget, pool)
    assert result.status in {"optimal", "upper_bound_only"}

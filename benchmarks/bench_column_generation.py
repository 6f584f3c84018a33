"""Symmetric N-body OT beyond enumeration: qmot's certified column generation, side by side.

Parts (each prints a table and writes ``results/column_generation_<part>.json``):

* ``line``: 1-D Coulomb, L sites uniform on [0, 1], mu_k ∝ 0.2 + sin²(πk/(L+1)); reference
  :func:`qmot.manybody.sce_1d` (exact cyclic quantile optimum). Sites are given in order and
  shuffled (then the greedy-path start has to rediscover the order). Reported: time to reach
  relative error 1e-8, total time, pool, rounds, status and the certified relative gap.
* ``plane``: 2-D sites (10 x 10 grid in the unit square), Coulomb and Gaussian (σ = 0.3),
  N = 10, 20: time, status, value and the certified bracket; then Coulomb on 6 x 6 (N = 6),
  8 x 8 (N = 4), 7 x 7 (N = 7) and 8 x 8 (N = 8) grids with ``certify="full"``, where the
  exact pricing (qmot's branch and bound; ``bench_pricing.py`` compares the engines) closes the
  bracket at 1e-9.
* ``enumeration``: against qmot's full-enumeration LP where it fits (both certified).
* ``mmsinkhorn``: OTT-JAX's multi-marginal Sinkhorn (``ott.experimental.mmsinkhorn``, CPU) on
  1-D Gaussian-cost instances, N = 3, 4, 5, L = 10..40, at the largest ε in a decreasing
  ladder that brings its transport cost within 1e-3 (relative) of qmot's certified optimum.
  Needs ``pip install ott-jax`` in the benchmark environment only (skipped otherwise).

Run: ``python benchmarks/bench_column_generation.py [--quick] [--part NAME ...]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, report

from qmot.manybody import Coulomb, Gaussian, SymmetricOTResult, grid_sites, sce_1d, symmetric_ot

PRICING_TIME = 20.0
MAX_TIME = 120.0


def sine_marginal(sites: int) -> np.ndarray:
    mu = 0.2 + np.sin(np.pi * np.arange(1, sites + 1) / (sites + 1)) ** 2
    return mu / mu.sum()


def _bracket(result: SymmetricOTResult) -> dict:
    return {
        "status": result.status,
        "rel. gap": result.gap / max(1.0, result.cost),
        "rounds": result.info.get("rounds"),
        "pool": result.info.get("pool"),
    }


def part_line(quick: bool) -> None:
    cases = [(30, 120)] if quick else [(30, 120), (50, 200), (100, 400)]
    rows = []
    for particles, sites in cases:
        for shuffled in (False, True):
            x, mu = np.linspace(0.0, 1.0, sites), sine_marginal(sites)
            if shuffled:
                order = np.random.default_rng(1).permutation(sites)
                x, mu = x[order], mu[order]
            reference = sce_1d(x, mu, particles, Coulomb()).cost
            seconds, result = best_time(
                lambda x=x, mu=mu, n=particles: symmetric_ot(
                    Coulomb().matrix(x),
                    mu,
                    n,
                    method="colgen",
                    pricing_time=PRICING_TIME,
                    max_time=MAX_TIME,
                ),
                1,
            )
            reached = next(
                (
                    h["seconds"]
                    for h in result.info["history"]
                    if abs(h["upper"] - reference) <= 1e-8 * reference
                ),
                None,
            )
            rows.append(
                {
                    "N": particles,
                    "L": sites,
                    "sites": "shuffled" if shuffled else "ordered",
                    "s to 1e-8": reached,
                    "total s": seconds,
                    "rel. error": abs(result.cost - reference) / reference,
                    **_bracket(result),
                }
            )
    report(
        "column_generation_line",
        "1-D Coulomb: column generation vs the exact cyclic quantile value (sce_1d)",
        list(rows[0]),
        rows,
    )


def part_plane(quick: bool) -> None:
    """L = 100, and smaller grids where the exact pricing still proves the bracket (the
    frontier of certification at 1e-9)."""
    cases = (
        [(Coulomb(), 10, 10)]
        if quick
        else [(c, 10, n) for c in (Coulomb(), Gaussian(0.3)) for n in (10, 20)]
        + [(Coulomb(), 6, 6), (Coulomb(), 8, 4), (Coulomb(), 7, 7), (Coulomb(), 8, 8)]
    )
    rows = []
    for pair_cost, side, particles in cases:
        x = grid_sites([0.0, 0.0], [1.0, 1.0], side)
        mu = sine_marginal(side * side)
        frontier = side < 10  # the small grids: prove the bracket in full
        seconds, result = best_time(
            lambda c=pair_cost, n=particles, x=x, mu=mu, full=frontier: symmetric_ot(
                c.matrix(x),
                mu,
                n,
                method="colgen",
                pricing_time=MAX_TIME if full else PRICING_TIME,
                max_time=MAX_TIME,
                certify="full" if full else "budget",
            ),
            1,
        )
        rows.append(
            {
                "cost": type(pair_cost).__name__,
                "grid": f"{side}x{side}",
                "N": particles,
                "s": seconds,
                "value": result.cost,
                "lower": result.lower_bound,
                **_bracket(result),
            }
        )
    report(
        "column_generation_plane",
        "2-D grids in the unit square: certified column generation",
        list(rows[0]),
        rows,
    )


def part_enumeration(quick: bool) -> None:
    cases = [(10, 4), (14, 5)] if quick else [(10, 4), (14, 5), (16, 6), (20, 5), (24, 4)]
    rows = []
    for sites, particles in cases:
        x = np.random.default_rng(sites).random((sites, 2))
        cost, mu = Gaussian(0.3).matrix(x), sine_marginal(sites)
        t_enum, full = best_time(
            lambda c=cost, m=mu, n=particles: symmetric_ot(c, m, n, method="enumerate"), 1
        )
        t_cg, cg = best_time(
            lambda c=cost, m=mu, n=particles: symmetric_ot(c, m, n, method="colgen"), 1
        )
        rows.append(
            {
                "L": sites,
                "N": particles,
                "columns": full.info["columns"],
                "enumeration s": t_enum,
                "colgen s": t_cg,
                "colgen/enum": t_cg / t_enum,
                "|Δ value|": abs(cg.cost - full.cost),
                "colgen status": cg.status,
                "enum status": full.status,
            }
        )
    report(
        "column_generation_enumeration",
        "2-D random sites, Gaussian cost: column generation vs full enumeration",
        list(rows[0]),
        rows,
    )


def _mmsinkhorn(
    x: np.ndarray, mu: np.ndarray, particles: int, epsilon: float
) -> tuple[float, float, bool]:
    import jax
    import jax.numpy as jnp
    from ott.experimental.mmsinkhorn import MMSinkhorn
    from ott.geometry import costs

    @jax.tree_util.register_pytree_node_class
    class GaussianKernelCost(costs.CostFn):
        def __call__(self, a: jax.Array, b: jax.Array) -> jax.Array:
            return jnp.exp(-jnp.sum((a - b) ** 2) / (2 * 0.3**2))

    points = tuple(jnp.asarray(x[:, None]) for _ in range(particles))
    weights = tuple(jnp.asarray(mu) for _ in range(particles))
    solver = MMSinkhorn(threshold=1e-5, max_iterations=20_000)
    started = time.perf_counter()
    out = solver(points, weights, GaussianKernelCost(), epsilon=epsilon)
    tensor = np.asarray(out.tensor)
    seconds = time.perf_counter() - started
    return seconds, float(np.sum(tensor * np.asarray(out.cost_t))), bool(out.converged)


def part_mmsinkhorn(quick: bool) -> None:
    try:
        import ott  # noqa: F401
    except ImportError:
        print("mmsinkhorn: ott-jax is not installed here (pip install ott-jax); skipped")
        return
    cases = (
        [(3, 10), (4, 10)]
        if quick
        else [(3, 10), (3, 20), (3, 40), (4, 10), (4, 20), (5, 10), (5, 16)]
    )
    rows = []
    for particles, sites in cases:
        x, mu = np.linspace(0.0, 1.0, sites), sine_marginal(sites)
        t_qmot, exact = best_time(
            lambda x=x, m=mu, n=particles: symmetric_ot(Gaussian(0.3).matrix(x), m, n), 1
        )
        _mmsinkhorn(x, mu, particles, 1.0)  # compile once, outside the timings
        found = None
        for epsilon in (1e-1, 3e-2, 1e-2, 3e-3, 1e-3):
            seconds, value, converged = _mmsinkhorn(x, mu, particles, epsilon)
            error = abs(value - exact.cost) / exact.cost
            found = (epsilon, seconds, value, error, converged)
            if error <= 1e-3:
                break
        epsilon, seconds, value, error, converged = found
        rows.append(
            {
                "N": particles,
                "L": sites,
                "qmot s": t_qmot,
                "qmot status": exact.status,
                "ε": epsilon,
                "MMSinkhorn s": seconds,
                "converged": converged,
                "rel. error": error,
                "MMSinkhorn/qmot": seconds / t_qmot,
            }
        )
    report(
        "column_generation_mmsinkhorn",
        "OTT-JAX MMSinkhorn (dense L^N tensor) vs qmot's certified optimum, 1-D Gaussian cost",
        list(rows[0]),
        rows,
    )


PARTS = {
    "line": part_line,
    "plane": part_plane,
    "enumeration": part_enumeration,
    "mmsinkhorn": part_mmsinkhorn,
}

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", nargs="*", choices=sorted(PARTS), default=list(PARTS))
    args = parser.parse_args()
    for name in args.part:
        PARTS[name](args.quick)

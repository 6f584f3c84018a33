"""Long computations for the Ctrl-C tests: run as ``python -m tests.interrupt_targets NAME``.

Each prints ``running`` on stdout once its set-up is done, then computes for far longer than
the test waits; the test sends SIGINT and measures how long the process takes to exit.
"""

from __future__ import annotations

import sys

import numpy as np


def long_dpt() -> None:
    """W_2,DPT² between two full-rank 31-dimensional states: a 961-dimensional coupling."""
    from qmot.linalg import random_density_matrix
    from qmot.quantum import dpt_divergence, spin

    rng = np.random.default_rng(0)
    rho, sigma = (random_density_matrix(31, 31, seed=rng) for _ in range(2))
    ops = spin(15)
    print("running", flush=True)
    dpt_divergence(rho, sigma, ops, tol=1e-12)


def long_dpt_ipm() -> None:
    """The same with QMOT-IPM (its iteration loop)."""
    from qmot.linalg import random_density_matrix
    from qmot.quantum import dpt_divergence, spin

    rng = np.random.default_rng(0)
    rho, sigma = (random_density_matrix(24, 24, seed=rng) for _ in range(2))
    print("running", flush=True)
    dpt_divergence(rho, sigma, spin(11.5), solver="QMOT-IPM", tol=1e-12)


def long_column_generation() -> None:
    """Symmetric OT of a non-convex pair cost on 60 sites, N = 12 (HiGHS MILP pricing)."""
    from qmot.manybody import Gaussian, symmetric_ot

    x = np.linspace(0.0, 1.0, 60)
    mu = np.full(60, 1 / 60)
    print("running", flush=True)
    symmetric_ot(Gaussian(0.1).matrix(x), mu, 12, method="colgen", pricing_time=600.0, tol=1e-12)


def long_milp_pricing() -> None:
    """One exact pricing MILP of column generation (HiGHS), 50 sites, N = 12, random duals."""
    _long_pricing("highs")


def long_bnb_pricing() -> None:
    """The default exact pricing (qmot's branch and bound) on the same problem."""
    _long_pricing("bnb")


def long_scip_pricing() -> None:
    """SCIP's exact pricing on the same problem."""
    _long_pricing("scip")


def _long_pricing(engine: str) -> None:
    from qmot.manybody import Gaussian
    from qmot.solvers.occupation.pricing import exact_pricing

    x = np.linspace(0.0, 1.0, 50)
    y = np.random.default_rng(0).normal(size=50) * 5.0
    print("running", flush=True)
    exact_pricing(Gaussian(0.1).matrix(x), y, 12, time_limit=600.0, engine=engine)


TARGETS = {
    "dpt": long_dpt,
    "dpt_ipm": long_dpt_ipm,
    "colgen": long_column_generation,
    "milp": long_milp_pricing,
    "bnb": long_bnb_pricing,
    "scip": long_scip_pricing,
}

if __name__ == "__main__":
    TARGETS[sys.argv[1]]()

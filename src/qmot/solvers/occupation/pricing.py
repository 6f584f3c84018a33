r"""Pricing for column generation: the most negative reduced cost of an occupation vector.

For a dual :math:`y` of the occupation LP (Cotar–Friesecke–Pass 2015, eqs. (1.18)–(1.19)) the
pricing problem is

.. math::

    r^\star(y) = \min_{|n| = N}\ c(n) - \frac{y^\top n}{N},
    \qquad c(n) = \sum_{k<l} C_{kl}n_kn_l + \sum_k C_{kk}\binom{n_k}2 .

:func:`local_search_pricing` finds negative columns fast (single-particle moves with an exactly
updated potential field); :func:`exact_pricing` solves it exactly with a certified lower bound
by one of the engines of :data:`PRICING_ENGINES`:

* ``"bnb"`` (default): qmot's branch and bound over the particles' sites with a
  Gilmore–Lawler bound (:mod:`qmot.solvers.occupation.pricing_bnb`);
* ``"highs"``: the mixed-integer linear program in HiGHS
  (:mod:`qmot.solvers.occupation.pricing_milp`);
* ``"scip"`` and ``"qcr"``: SCIP on the nonconvex program, or on its quadratic convex
  reformulation (:mod:`qmot.solvers.occupation.pricing_scip`; ``pip install qmot[scip]``).

The default was chosen by measurement on pricing problems of real column-generation rounds
(``benchmarks/bench_pricing.py``): on a 7 × 7 Coulomb grid with N = 7 the branch and bound
proves the minimum in about 2 s where HiGHS, SCIP and the convexified SCIP stop at dual bounds of
about −11, −23 and −53 after 20 s. Every engine's lower bound is valid when it runs out of time.
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qmot.errors import InvalidInputError
from qmot.reductions.occupations import configuration_cost
from qmot.solvers.interrupt import interruptible
from qmot.solvers.occupation.pricing_bnb import branch_and_bound_pricing
from qmot.solvers.occupation.pricing_common import PricingOutcome, PricingRequest
from qmot.solvers.occupation.pricing_milp import milp_pricing
from qmot.solvers.occupation.pricing_scip import qcr_pricing, scip_pricing

__all__ = [
    "DEFAULT_PRICING_ENGINE",
    "PRICING_ENGINES",
    "ExactPricing",
    "check_pricing_engine",
    "exact_pricing",
    "local_search_pricing",
    "reduced_costs",
]

MAX_SEEDS = 48
"""Local searches per round start from at most this many support columns (and their kicks)."""


def reduced_costs(
    configurations: np.ndarray, column_costs: np.ndarray, y: np.ndarray, particles: int
) -> np.ndarray:
    """:math:`c(n) - y^\\top n / N` for each row of ``configurations``."""
    return column_costs - configurations @ y / particles


@dataclass
class _PricingData:
    """The pricing objective :math:`c(n) - y^\\top n/N` in the form the searches use."""

    off_diagonal: np.ndarray  # C with zero diagonal
    diagonal: np.ndarray  # finite C_kk, 0 where C_kk = +inf
    capacity: np.ndarray  # 1 where C_kk = +inf, N otherwise
    linear: np.ndarray  # y / N
    particles: int

    @classmethod
    def build(cls, cost: np.ndarray, y: np.ndarray, particles: int) -> _PricingData:
        singular = np.isinf(np.diag(cost))
        off = np.array(cost, dtype=float)
        np.fill_diagonal(off, 0.0)
        diagonal = np.where(singular, 0.0, np.diag(cost))
        capacity = np.where(singular, 1, particles)
        return cls(off, diagonal, capacity, y / particles, particles)


def _descend(data: _PricingData, occupation: np.ndarray) -> list[np.ndarray]:
    """Best-improvement local search over single-particle moves ``a → b``.

    Returns the configurations visited after each move (the last is a local minimum).
    """
    n = occupation.astype(np.int64).copy()
    field_ = data.off_diagonal @ n
    visited = []
    for _ in range(50 * data.particles + 100):
        occupied = np.flatnonzero(n)
        leave = (
            field_[occupied] + data.diagonal[occupied] * (n[occupied] - 1) - data.linear[occupied]
        )
        enter = (
            field_[None, :]
            - data.off_diagonal[occupied, :]
            + data.diagonal[None, :] * n[None, :]
            - data.linear[None, :]
        )
        delta = enter - leave[:, None]
        delta[:, n >= data.capacity] = np.inf
        delta[np.arange(occupied.size), occupied] = np.inf
        flat = int(np.argmin(delta))
        row, target = divmod(flat, n.size)
        if not delta[row, target] < -1e-13 * (1.0 + abs(leave).max()):
            break
        source = occupied[row]
        n[source] -= 1
        n[target] += 1
        field_ += data.off_diagonal[:, target] - data.off_diagonal[:, source]
        visited.append(n.copy())
    return visited


def _kick(n: np.ndarray, data: _PricingData, moves: int, rng: np.random.Generator) -> np.ndarray:
    """Random feasible single-particle moves (the 'mutation' of a genetic search)."""
    n = n.copy()
    for _ in range(moves):
        source = rng.choice(np.flatnonzero(n))
        free = np.flatnonzero(n < data.capacity)
        free = free[free != source]
        if free.size == 0:
            break
        n[source] -= 1
        n[rng.choice(free)] += 1
    return n


def local_search_pricing(
    cost: np.ndarray,
    y: np.ndarray,
    particles: int,
    seeds: np.ndarray,
    *,
    rng: np.random.Generator,
    restarts: int = 2,
    threshold: float = 0.0,
) -> np.ndarray:
    """Heuristic pricing: local search from each seed configuration and from random kicks of it.

    Returns the distinct configurations found with reduced cost below ``threshold``
    (``(K, L)``, possibly ``K = 0``).
    """
    data = _PricingData.build(cost, y, particles)
    if seeds.shape[0] > MAX_SEEDS:
        seeds = seeds[rng.choice(seeds.shape[0], MAX_SEEDS, replace=False)]
    found: dict[bytes, np.ndarray] = {}
    for seed in seeds:
        starts = [seed] + [
            _kick(seed, data, int(rng.integers(1, max(2, particles // 2) + 1)), rng)
            for _ in range(restarts)
        ]
        for start in starts:
            for n in _descend(data, start):
                found.setdefault(n.tobytes(), n)
    if not found:
        return np.zeros((0, cost.shape[0]), dtype=np.int64)
    candidates = np.array(list(found.values()))
    values = reduced_costs(candidates, configuration_cost(candidates, cost), y, particles)
    return candidates[values < threshold]


@dataclass(frozen=True)
class ExactPricing:
    """Outcome of :func:`exact_pricing`.

    ``lower_bound`` ≤ :math:`r^\\star(y)` ≤ ``value`` always (``lower_bound`` is the engine's
    certified bound, ``value`` the reduced cost of ``configuration``); ``proven`` says whether
    the engine closed its gap (``status`` is its own word, ``engine`` its name, ``nodes`` its
    branch-and-bound nodes).
    """

    configuration: np.ndarray | None
    value: float
    lower_bound: float
    proven: bool
    status: str
    seconds: float
    engine: str = "bnb"
    nodes: int = 0


Engine = Callable[[PricingRequest], PricingOutcome]

PRICING_ENGINES: dict[str, Engine] = {
    "bnb": branch_and_bound_pricing,
    "highs": milp_pricing,
    "scip": scip_pricing,
    "qcr": qcr_pricing,
}
"""The exact pricing engines by name (module docstring)."""

DEFAULT_PRICING_ENGINE = "bnb"
"""The engine column generation uses unless told otherwise (chosen by measurement)."""


def check_pricing_engine(engine: object) -> str:
    """``engine`` if it names an exact pricing engine that can run here, else
    :class:`InvalidInputError` (SCIP's engines need the optional PySCIPOpt)."""
    if not isinstance(engine, str) or engine not in PRICING_ENGINES:
        raise InvalidInputError(
            f"`pricing_engine` must be one of {tuple(PRICING_ENGINES)} (got {engine!r})"
        )
    if engine in {"scip", "qcr"} and importlib.util.find_spec("pyscipopt") is None:
        raise InvalidInputError(
            f"`pricing_engine` {engine!r} needs PySCIPOpt; install it with "
            "`pip install qmot[scip]`, or use 'bnb' (the default) or 'highs'"
        )
    return engine


@interruptible  # Ctrl-C returns at once, even inside SCIP or HiGHS
def exact_pricing(
    cost: np.ndarray,
    y: np.ndarray,
    particles: int,
    *,
    time_limit: float,
    incumbent: np.ndarray | None = None,
    allowed_gap: float = 1e-12,
    engine: str = DEFAULT_PRICING_ENGINE,
) -> ExactPricing:
    r"""Minimum reduced cost :math:`r^\star(y)` with a certified lower bound.

    Parameters
    ----------
    cost, y, particles
        The pricing problem of the module docstring.
    time_limit
        Seconds the engine may take; its lower bound stays valid when it runs out.
    incumbent
        A known configuration (it seeds the search and bounds the value from above).
    allowed_gap
        The search stops once its bound is within this of the best value.
    engine
        A name of :data:`PRICING_ENGINES`.

    Examples
    --------
    >>> import numpy as np
    >>> from qmot.manybody import Coulomb, grid_sites
    >>> cost = Coulomb().matrix(grid_sites([0.0, 0.0], [1.0, 1.0], 4))  # 16 sites
    >>> y = np.linspace(10.0, 20.0, 16)
    >>> bnb = exact_pricing(cost, y, 4, time_limit=10.0)
    >>> milp = exact_pricing(cost, y, 4, time_limit=10.0, engine="highs")
    >>> bnb.proven, milp.proven, abs(bnb.value - milp.value) < 1e-9
    (True, True, True)
    >>> bnb.lower_bound <= bnb.value
    True
    """
    solve = PRICING_ENGINES[check_pricing_engine(engine)]
    started = time.perf_counter()
    if incumbent is not None:
        incumbent = np.asarray(incumbent, dtype=np.int64)
    request = PricingRequest(
        cost=cost,
        y=y,
        particles=particles,
        time_limit=time_limit,
        allowed_gap=allowed_gap,
        incumbent=incumbent,
        incumbent_value=None if incumbent is None else _reduced_cost(incumbent, cost, y, particles),
    )
    outcome = solve(request)
    seconds = time.perf_counter() - started
    candidates = [c for c in (outcome.configuration, incumbent) if c is not None]
    value, configuration = math.inf, None
    if candidates:
        values = [_reduced_cost(c, cost, y, particles) for c in candidates]
        value, configuration = min(values), np.asarray(candidates[int(np.argmin(values))])
    return ExactPricing(
        configuration=configuration,
        value=value,
        lower_bound=min(outcome.lower_bound, value),
        proven=outcome.complete,
        status=outcome.status,
        seconds=seconds,
        engine=engine,
        nodes=outcome.nodes,
    )


def _reduced_cost(
    configuration: np.ndarray, cost: np.ndarray, y: np.ndarray, particles: int
) -> float:
    row = np.asarray(configuration, dtype=np.int64)[None]
    return float(reduced_costs(row, configuration_cost(row, cost), y, particles)[0])

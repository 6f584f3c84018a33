"""Every exact pricing engine against brute force over all configurations (Cotar–Friesecke–Pass
2015, eqs. (1.18)–(1.19)): the minimum reduced cost, and lower bounds that stay valid when an
engine runs out of time."""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qmot.errors import InvalidInputError
from qmot.manybody import Coulomb, Gaussian, grid_sites, symmetric_ot
from qmot.reductions.occupations import configuration_cost, enumerate_configurations
from qmot.solvers.occupation.pricing import (
    PRICING_ENGINES,
    check_pricing_engine,
    exact_pricing,
    reduced_costs,
)
from qmot.solvers.occupation.pricing_bnb import branch_and_bound_pricing
from qmot.solvers.occupation.pricing_common import PricingRequest

HAVE_SCIP = importlib.util.find_spec("pyscipopt") is not None
ENGINES = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            name in {"scip", "qcr"} and not HAVE_SCIP, reason="PySCIPOpt is not installed"
        ),
    )
    for name in PRICING_ENGINES
]


def _instance(seed: int, singular: bool, *, sites: int | None = None) -> tuple:
    rng = np.random.default_rng(seed)
    sites = sites or int(rng.integers(3, 9))
    particles = int(rng.integers(2, 6))
    if singular:
        particles = min(particles, sites)
        pair_cost = Coulomb()
    else:
        pair_cost = Gaussian(float(rng.uniform(0.2, 1.0)))
    cost = pair_cost.matrix(rng.random((sites, 2)))
    y = rng.normal(scale=5.0, size=sites)
    configurations = enumerate_configurations(sites, particles, single=np.isinf(np.diag(cost)))
    values = reduced_costs(configurations, configuration_cost(configurations, cost), y, particles)
    return cost, y, particles, float(values.min())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("singular", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_every_engine_finds_the_brute_force_minimum(engine: str, singular: bool, seed: int) -> None:
    cost, y, particles, minimum = _instance(seed, singular)
    result = exact_pricing(cost, y, particles, time_limit=30.0, engine=engine)
    assert result.proven
    assert result.engine == engine
    assert result.value == pytest.approx(minimum, abs=1e-7)
    assert result.lower_bound <= minimum + 1e-9
    assert result.value - result.lower_bound <= 1e-6 * max(1.0, abs(minimum))
    assert result.configuration.sum() == particles


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.floats(0.0, 1e-2))
def test_branch_and_bound_bound_is_valid_with_any_allowed_gap(
    seed: int, singular: bool, allowed_gap: float
) -> None:
    """Mixed capacities too: sites with infinite and finite self-cost side by side."""
    cost, y, particles, minimum = _instance(seed, singular)
    if not singular:
        rng = np.random.default_rng(seed)
        single = rng.random(cost.shape[0]) < 0.5
        cost[np.diag_indices_from(cost)] = np.where(single, np.inf, np.diag(cost))
        configurations = enumerate_configurations(cost.shape[0], particles, single=single)
        if configurations.shape[0] == 0:
            return
        values = reduced_costs(
            configurations, configuration_cost(configurations, cost), y, particles
        )
        minimum = float(values.min())
    outcome = branch_and_bound_pricing(PricingRequest(cost, y, particles, 30.0, allowed_gap))
    assert outcome.complete
    assert outcome.lower_bound <= minimum + 1e-9
    value = float(
        reduced_costs(
            outcome.configuration[None],
            configuration_cost(outcome.configuration[None], cost),
            y,
            particles,
        )[0]
    )
    assert minimum - 1e-9 <= value <= minimum + allowed_gap + 1e-9


def test_branch_and_bound_out_of_time_keeps_a_valid_bound() -> None:
    """A budget far too short for 60 sites: the bound covers the unexplored tree (checked
    against the proven minimum of a full run)."""
    x = grid_sites([0.0, 0.0], [1.0, 1.0], 6)
    cost = Coulomb().matrix(x)
    y = np.random.default_rng(1).normal(scale=3.0, size=36) + 40.0
    full = branch_and_bound_pricing(PricingRequest(cost, y, 6, 120.0, 1e-12))
    assert full.complete
    cut = branch_and_bound_pricing(PricingRequest(cost, y, 6, 0.0, 1e-12))
    assert not cut.complete
    assert cut.lower_bound <= full.lower_bound + 1e-9
    assert np.isfinite(cut.lower_bound)


def test_incumbent_is_kept_when_nothing_beats_it() -> None:
    cost, y, particles, minimum = _instance(5, True, sites=8)
    configurations = enumerate_configurations(8, particles, single=np.isinf(np.diag(cost)))
    values = reduced_costs(configurations, configuration_cost(configurations, cost), y, particles)
    best = configurations[int(np.argmin(values))]
    result = exact_pricing(cost, y, particles, time_limit=10.0, incumbent=best)
    assert result.value == pytest.approx(minimum, abs=1e-12)
    assert result.lower_bound <= minimum + 1e-12


@pytest.mark.parametrize("bad", ["milp", "", None, 3])
def test_unknown_engine_is_rejected_by_name(bad: object) -> None:
    with pytest.raises(InvalidInputError, match="pricing_engine"):
        check_pricing_engine(bad)
    with pytest.raises(InvalidInputError, match="pricing_engine"):
        symmetric_ot(Coulomb().matrix(np.linspace(0, 1, 5)), np.full(5, 0.2), 2, pricing_engine=bad)


def test_branch_and_bound_certifies_a_coulomb_grid_end_to_end() -> None:
    """6 × 6 Coulomb grid with N = 6 (a case the earlier MILP pricing closed only slowly): the
    bracket closes to 1e-9 and contains the value of a HiGHS-priced run."""
    x = grid_sites([0.0, 0.0], [1.0, 1.0], 6)
    mu = 0.2 + np.sin(np.pi * np.arange(1, 37) / 37) ** 2
    mu /= mu.sum()
    started = time.perf_counter()
    result = symmetric_ot(
        Coulomb().matrix(x), mu, 6, method="colgen", tol=1e-9, certify="full", pricing_time=120.0
    )
    assert result.status == "optimal", (result.status, time.perf_counter() - started)
    assert result.info["pricing_engine"] == "bnb"
    assert result.gap <= 1e-9 * max(1.0, result.cost)


def test_qcr_too_large_for_memory_is_refused_before_any_work() -> None:
    """400 binary items (100 sites, N = 10, finite self-cost) would need a ~50 GB SDP."""
    x = grid_sites([0.0, 0.0], [1.0, 1.0], 10)
    cost, mu = Gaussian(0.3).matrix(x), np.full(100, 0.01)
    started = time.perf_counter()
    with pytest.raises(InvalidInputError, match='pricing_engine="qcr"'):
        symmetric_ot(cost, mu, 10, method="colgen", pricing_engine="qcr")
    assert time.perf_counter() - started < 5.0


def test_scip_engines_without_pyscipopt_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util as util

    real = util.find_spec
    monkeypatch.setattr(
        util, "find_spec", lambda name, *a: None if name == "pyscipopt" else real(name, *a)
    )
    for engine in ("scip", "qcr"):
        with pytest.raises(InvalidInputError, match=r"qmot\[scip\]"):
            check_pricing_engine(engine)
    assert check_pricing_engine("bnb") == "bnb"

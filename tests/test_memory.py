"""Memory estimates refuse problems that would exhaust the machine, before building them."""

from __future__ import annotations

import numpy as np
import pytest

from qmot import _memory
from qmot.errors import InvalidInputError
from qmot.linalg import random_density_matrix
from qmot.manybody import Coulomb, is_n_representable, sce_1d, symmetric_ot
from qmot.sdp import coupling_sdp


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_memory, "MEMORY_LIMIT_BYTES", 8 * 2**30)  # 8 GiB, whatever the machine


def _problem(dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    first, second = (random_density_matrix(dim, dim, seed=rng) for _ in range(2))
    matrix = rng.normal(size=(dim * dim, dim * dim))
    return matrix + matrix.T, first, second


def test_clarabel_on_a_121_dimensional_coupling_is_refused(limit: None) -> None:
    # The case of the report: killed by the system at 24 GB instead of refusing.
    cost, first, second = _problem(11)
    with pytest.raises(
        InvalidInputError,
        match=r"solver='CLARABEL' on a reduced coupling of dimension 121 needs about "
        r"[0-9.]+ GiB of memory \(estimate\), more than the limit of 8.0 GiB .*"
        r"use solver='QMOT-IPM' or 'QMOT-ENTROPIC'",
    ):
        coupling_sdp(cost, first, second, solver="CLARABEL")


def test_estimates_follow_the_measured_growth() -> None:
    # Peak RSS measured on one Clarabel solve each: 90 MiB at 25, 358 MiB at 36, 1.2 GiB at 49;
    # the estimate must cover each without being off by more than a factor of 2.
    for dim, measured in ((25, 90 * 2**20), (36, 358 * 2**20), (49, 1186 * 2**20)):
        estimate = _memory.conic_sdp_bytes(dim, "CLARABEL")
        assert measured <= estimate <= 2 * measured + _memory._BASE
    assert _memory.conic_sdp_bytes(121, "CLARABEL") > 24 * 2**30  # more than it was killed at
    assert _memory.conic_sdp_bytes(121, "SCS") < 2**30  # SCS stays small (20 MiB at 49)


def test_auto_and_small_conic_problems_are_not_refused(limit: None) -> None:
    cost, first, second = _problem(3)
    for solver in ("AUTO", "CLARABEL", "SCS"):
        result = coupling_sdp(cost, first, second, solver=solver, tol=1e-4)
        assert result.lower_bound <= result.upper_bound


def test_full_enumeration_is_refused_and_auto_switches_to_column_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x, mu = np.linspace(0.0, 1.0, 20), np.full(20, 1 / 20)
    cost = Coulomb().matrix(x)
    monkeypatch.setattr(_memory, "MEMORY_LIMIT_BYTES", 70 * 2**20)  # 15 504 columns need more
    with pytest.raises(
        InvalidInputError,
        match=r"full enumeration of 1.55e\+04 configurations needs "
        r"about \d+ MiB of memory \(estimate\), more than the limit of 70 MiB",
    ):
        symmetric_ot(cost, mu, 5, method="enumerate")
    result = symmetric_ot(cost, mu, 5)  # auto: column generation instead of refusing
    assert "enumeration" not in result.solver
    assert result.cost == pytest.approx(sce_1d(x, mu, 5, Coulomb()).cost, abs=1e-8)


def test_representability_lp_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_memory, "MEMORY_LIMIT_BYTES", 70 * 2**20)
    mu2 = np.full((12, 12), 1 / 144)
    with pytest.raises(InvalidInputError, match=r"the representability LP of N = 8 on 12 sites"):
        is_n_representable(mu2, 8, max_configurations=10**6)


def test_the_limit_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMOT_MEMORY_LIMIT_GB", "1.5")
    assert _memory._default_limit() == int(1.5 * 2**30)
    monkeypatch.setenv("QMOT_MEMORY_LIMIT_GB", "lots")
    assert _memory._default_limit() > 0

"""The ``certify=`` policy of column generation: every policy's bracket holds the exact optimum."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.manybody import Coulomb, Gaussian, symmetric_ot


def _instance(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sites = rng.uniform(size=(9, 2))
    mu = rng.uniform(0.5, 1.5, size=9)
    return Gaussian().matrix(sites), mu / mu.sum()


@pytest.mark.parametrize("policy", ["none", "budget", "full"])
@pytest.mark.parametrize("seed", [0, 1])
def test_every_policy_brackets_the_enumerated_optimum(policy: str, seed: int) -> None:
    cost, mu = _instance(seed)
    exact = symmetric_ot(cost, mu, 3, method="enumerate")  # the oracle: all 165 columns
    result = symmetric_ot(cost, mu, 3, method="colgen", certify=policy)
    assert result.lower_bound <= exact.upper_bound + 1e-9
    assert exact.lower_bound - 1e-9 <= result.upper_bound
    assert result.info["certify"] == policy
    if policy == "none":
        assert result.status in ("optimal", "upper_bound_only")
    else:
        assert result.status == "optimal"  # small problems are proved well within the budget


def test_no_proof_still_gives_a_valid_weak_bound() -> None:
    x = np.linspace(0.0, 1.0, 16)[:, None]
    cost, mu = Coulomb().matrix(x), np.full(16, 1 / 16)
    result = symmetric_ot(cost, mu, 4, method="colgen", certify="none")
    exact = symmetric_ot(cost, mu, 4, method="enumerate")
    assert result.upper_bound == pytest.approx(exact.cost, rel=1e-9)  # heuristics found it
    assert result.lower_bound <= exact.cost


def test_an_unknown_policy_is_refused() -> None:
    cost, mu = _instance(0)
    with pytest.raises(InvalidInputError, match=r"`certify` must be one of \('budget', 'full'"):
        symmetric_ot(cost, mu, 3, certify="quick")

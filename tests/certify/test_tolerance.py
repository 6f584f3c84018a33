"""The tolerance rule of :mod:`qmot.certify.tolerance`."""

from __future__ import annotations

import pytest

from qmot.certify.tolerance import DEFAULT_ATOL, DEFAULT_RTOL, Tolerance
from qmot.errors import InvalidInputError


def test_default_rule_is_relative_above_the_crossover_and_absolute_below() -> None:
    rule = Tolerance()
    assert (rule.atol, rule.rtol) == (DEFAULT_ATOL, DEFAULT_RTOL)
    assert rule.width(10.0) == pytest.approx(1e-6)
    assert rule.width(8e-7) == DEFAULT_ATOL
    assert not rule.met(upper=8.8e-7, lower=8.0e-7)


def test_legacy_rule_is_tol_times_max_one_cost() -> None:
    rule = Tolerance.from_arguments(1e-7, None, None)
    assert rule.width(0.5) == pytest.approx(1e-7)
    assert rule.width(20.0) == pytest.approx(2e-6)
    assert Tolerance.from_arguments(1e-7, 1e-12, None).atol == 1e-12


@pytest.mark.parametrize("name", ["tol", "atol", "rtol"])
@pytest.mark.parametrize("value", ["1e-7", -1.0, 0.0, float("nan"), True])
def test_bad_tolerances_are_refused(name: str, value: object) -> None:
    with pytest.raises(InvalidInputError, match=f"`{name}`"):
        Tolerance.from_arguments(**{"tol": None, "atol": None, "rtol": None, name: value})

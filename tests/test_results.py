from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from qmot.results import TransportResult


def _result(cost: float = 2.0, **changes: object) -> TransportResult:
    fields = {
        "cost": cost,
        "lower_bound": cost - 1e-9,
        "upper_bound": cost,
        "status": "optimal",
        "solver": "test",
        "plan": np.eye(2) / 2,
        "potentials": {"u": np.array([1.0, 2.0])},
        "residuals": {"marginal_a": 0.0},
    }
    fields.update(changes)
    return TransportResult(**fields)


def test_distance_is_sqrt_of_cost_and_clips_round_off() -> None:
    assert _result(4.0).distance == pytest.approx(2.0)
    assert _result(-1e-15).distance == 0.0


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _result().cost = 3.0  # type: ignore[misc]


def test_repr_is_one_line_with_cost_bracket_and_status() -> None:
    text = repr(_result(2.5))
    assert "\n" not in text
    assert "cost=2.5" in text and "bracket=[" in text and "status='optimal'" in text


def test_to_dict_is_json_serialisable_including_complex_arrays() -> None:
    result = _result(coupling=np.array([[1 + 1j, 0], [0, 1]]), info={"inf": float("inf")})
    summary = json.loads(json.dumps(result.to_dict(include_arrays=True)))
    assert summary["cost"] == 2.0
    assert summary["gap"] == pytest.approx(1e-9)
    assert summary["coupling"]["imag"][0][0] == 1.0
    assert summary["info"]["inf"] == "inf"
    assert "plan" not in result.to_dict()


def test_success_follows_status() -> None:
    assert _result().success
    assert not _result(status="gap_exceeds_tolerance").success

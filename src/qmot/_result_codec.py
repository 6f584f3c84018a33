"""Decoding the JSON form of a result (``TransportResult.to_dict(include_arrays=True)``).

Used by :meth:`qmot.results.TransportResult.from_dict`; the format is described in
:mod:`qmot.result_io`. Complex arrays are ``{"real": [...], "imag": [...]}``, non-finite numbers
the strings ``"inf"``, ``"-inf"``, ``"nan"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from qmot.errors import InvalidInputError

__all__ = ["REQUIRED_KEYS", "decode_fields", "encode_json"]

_NUMBER_FIELDS = ("cost", "lower_bound", "upper_bound")
_ARRAY_FIELDS = ("plan", "coupling", "configurations", "weights")


def _number(value: Any, name: str) -> float:
    if isinstance(value, str) and value in _NON_FINITE:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"`data['{name}']` must be a number (got {value!r})")
    return float(value)


_NON_FINITE = ("inf", "-inf", "nan")


def _non_finite_out(value: Any) -> Any:
    """Nested lists with non-finite floats written as the strings ``"inf"``, ``"nan"``."""
    if isinstance(value, list):
        return [_non_finite_out(item) for item in value]
    if isinstance(value, dict):
        return {key: _non_finite_out(item) for key, item in value.items()}
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value


def _non_finite_back(value: Any) -> Any:
    if isinstance(value, list):
        return [_non_finite_back(item) for item in value]
    if isinstance(value, str) and value in _NON_FINITE:
        return float(value)
    return value


def _array(value: Any, name: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        if set(value) != {"real", "imag"}:
            raise InvalidInputError(
                f"`data['{name}']` must be a list or an object with keys 'real' and 'imag' "
                f"(got keys {sorted(value)})"
            )
        return _array(value["real"], name) + 1j * _array(value["imag"], name)  # type: ignore[operator]
    try:
        array = np.asarray(_non_finite_back(value))
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`data['{name}']` must be an array of numbers ({exc})") from exc
    if array.dtype.kind not in "biufc":
        raise InvalidInputError(
            f"`data['{name}']` must be an array of numbers (got dtype {array.dtype})"
        )
    return array


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"`data['{name}']` must be an object (got {type(value).__name__})")
    return value


def decode_fields(data: Mapping[str, Any], known: set[str]) -> dict[str, Any]:
    """Constructor arguments of a result class (its field names ``known``) from ``data``."""
    values: dict[str, Any] = {name: _number(data[name], name) for name in _NUMBER_FIELDS}
    for name in ("status", "solver"):
        if not isinstance(data[name], str):
            raise InvalidInputError(f"`data['{name}']` must be text (got {data[name]!r})")
        values[name] = data[name]
    values["residuals"] = {
        str(k): _number(v, f"residuals.{k}")
        for k, v in _mapping(data.get("residuals"), "residuals").items()
    }
    values["info"] = dict(_mapping(data.get("info"), "info"))
    values["potentials"] = {
        str(k): _array(v, f"potentials.{k}")
        for k, v in _mapping(data.get("potentials"), "potentials").items()
    }
    if data.get("channel") is not None:
        values["channel"] = tuple(_array(v, "channel") for v in data["channel"])
    for name in _ARRAY_FIELDS:
        if name in known and name in data:
            values[name] = _array(data[name], name)
    if "particles" in known and "particles" in data:
        values["particles"] = int(data["particles"])
    return values


REQUIRED_KEYS = (*_NUMBER_FIELDS, "status", "solver")
"""Keys every result's dictionary must have."""


def encode_json(data: Mapping[str, Any]) -> str:
    """Strict JSON (no ``NaN``/``Infinity`` literals) of a ``to_dict`` output."""
    return json.dumps(_non_finite_out(dict(data)), allow_nan=False)

"""Results to and from JSON: :meth:`TransportResult.from_dict`, ``save`` and ``load``.

The file is the JSON of ``result.to_dict(include_arrays=True)``: the value, the certified
bracket, the status, the solver, residuals and info, the optimiser (plan, coupling, Kraus
operators of a channel, potentials) and a subclass's own fields (the N-body optimiser's
``configurations``, ``weights`` and ``particles``). Complex arrays are stored as
``{"real": [...], "imag": [...]}`` and non-finite numbers as the strings ``"inf"``, ``"-inf"``,
``"nan"``; floats are written with all their digits, so numbers and arrays read back exactly.
Functions (the co-motion maps of a 1-D SCE result) are not stored: they come back empty.
Values inside ``info`` read back as JSON gives them (tuples become lists).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from qmot.errors import InvalidInputError
from qmot.results import TransportResult

__all__ = ["load_result", "result_from_dict", "save_result"]

_Result = TypeVar("_Result", bound=TransportResult)

_NUMBER_FIELDS = ("cost", "lower_bound", "upper_bound")
_ARRAY_FIELDS = ("plan", "coupling", "configurations", "weights")


def _result_types() -> dict[str, type[TransportResult]]:
    from qmot.manybody import SCE1DResult, SymmetricOTResult

    return {cls.__name__: cls for cls in (TransportResult, SymmetricOTResult, SCE1DResult)}


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


def _fields_from(data: Mapping[str, Any], cls: type[TransportResult]) -> dict[str, Any]:
    """Constructor arguments of ``cls`` decoded from ``data``."""
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
    known = {item.name for item in dataclasses.fields(cls)}
    for name in _ARRAY_FIELDS:
        if name in known and name in data:
            values[name] = _array(data[name], name)
    if "particles" in known and "particles" in data:
        values["particles"] = int(data["particles"])
    return values


def result_from_dict(
    data: Mapping[str, Any],
    *,
    expected: type[_Result] = TransportResult,  # type: ignore[assignment]
) -> _Result:
    """Rebuild the result that ``to_dict(include_arrays=True)`` described.

    ``data["type"]`` names the class (``TransportResult``, ``SymmetricOTResult``,
    ``SCE1DResult``); without it ``expected`` is used. Derived keys (``distance``, ``gap``,
    ``cost_per_pair``) are recomputed, not read.

    Raises
    ------
    InvalidInputError
        A required key is missing, a value has the wrong type, or ``type`` is not a result
        class (or not ``expected`` or one of its subclasses).

    Examples
    --------
    >>> from qmot.classical import w2
    >>> result = w2([[0.0], [1.0]], [0.5, 0.5], [[0.0], [3.0]], [0.5, 0.5])
    >>> copy = result_from_dict(result.to_dict(include_arrays=True))
    >>> copy.cost == result.cost and bool((copy.plan == result.plan).all())
    True
    """
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"`data` must be a mapping (got {type(data).__name__})")
    missing = [key for key in (*_NUMBER_FIELDS, "status", "solver") if key not in data]
    if missing:
        raise InvalidInputError(f"`data` must have the keys {missing} (got keys {sorted(data)})")
    types = _result_types()
    name = data.get("type", expected.__name__)
    cls = types.get(name) if isinstance(name, str) else None
    if cls is None or not issubclass(cls, expected):
        allowed = sorted(n for n, c in types.items() if issubclass(c, expected))
        raise InvalidInputError(f"`data['type']` must be one of {allowed} (got {name!r})")
    return cls(**_fields_from(data, cls))  # type: ignore[return-value]


def save_result(result: TransportResult, path: str | Path) -> Path:
    """Write ``result.to_dict(include_arrays=True)`` as JSON to ``path``; return the path."""
    if not isinstance(result, TransportResult):
        raise InvalidInputError(f"`result` must be a TransportResult (got {type(result).__name__})")
    target = Path(path)
    if not target.parent.is_dir():
        raise InvalidInputError(f"`path` must be in an existing folder (got {target})")
    text = json.dumps(_non_finite_out(result.to_dict(include_arrays=True)), allow_nan=False)
    target.write_text(text)
    return target


def load_result(
    path: str | Path,
    *,
    expected: type[_Result] = TransportResult,  # type: ignore[assignment]
) -> _Result:
    """Read a result written by :func:`save_result` (or ``TransportResult.save``)."""
    source = Path(path)
    if not source.is_file():
        raise InvalidInputError(f"`path` must be an existing file (got {source}: not found)")
    try:
        data = json.loads(source.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"`path` ({source}) must be UTF-8 JSON ({exc})") from exc
    return result_from_dict(data, expected=expected)

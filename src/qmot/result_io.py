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

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import qmot.manybody  # noqa: F401  (defines, and so registers, the N-body result classes)
from qmot.results import TransportResult

__all__ = ["load_result", "result_from_dict", "save_result"]

_Result = TypeVar("_Result", bound=TransportResult)


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
    return expected.from_dict(data)


def save_result(result: TransportResult, path: str | Path) -> Path:
    """Write ``result.to_dict(include_arrays=True)`` as JSON to ``path``; return the path."""
    from qmot.errors import InvalidInputError

    if not isinstance(result, TransportResult):
        raise InvalidInputError(f"`result` must be a TransportResult (got {type(result).__name__})")
    return result.save(path)


def load_result(
    path: str | Path,
    *,
    expected: type[_Result] = TransportResult,  # type: ignore[assignment]
) -> _Result:
    """Read a result written by :func:`save_result` (or ``TransportResult.save``)."""
    return expected.load(path)

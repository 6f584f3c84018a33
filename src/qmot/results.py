"""Immutable result objects returned by every qmot solver.

A result carries the optimal value *and* the evidence that it is right: a certified
bracket ``lower_bound <= optimum <= upper_bound`` (a dual-feasible value and a
primal-feasible value), the solver's status and the constraint residuals of the
returned optimiser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np

__all__ = ["OPTIMAL", "Status", "TransportResult", "jsonable"]


class Status(StrEnum):
    """Why a result is (or is not) certified optimal; each value equals the string it replaces.

    Being a :class:`str`, a status compares equal to its value (``Status.OPTIMAL ==
    "optimal"``), prints as it (``str``, ``format``, JSON) and can be read back with
    ``Status("optimal")``.
    """

    OPTIMAL = "optimal"
    """The certified bracket is within the requested tolerance."""
    GAP_EXCEEDS_TOLERANCE = "gap_exceeds_tolerance"
    """The solver ended without the certified bracket closing to the tolerance."""
    TIME_LIMIT = "time_limit"
    """``max_time`` ran out; the bracket is the best certified one found."""
    PRICING_TIME_LIMIT = "pricing_time_limit"
    """Column generation: the exact pricing could not finish; the bracket stays certified."""
    ESTIMATE = "estimate"
    """The value is an estimate with an error estimate, not a rigorous bracket."""
    UPPER_BOUND_ONLY = "upper_bound_only"
    """Only the upper side is certified (the lower side is a valid but loose bound)."""
    FAILED = "failed"
    """The computation failed (a sweep task that raised)."""

    def __repr__(self) -> str:
        # shown as the string it equals, so that printed results and tuples read as before
        return repr(self.value)


OPTIMAL = Status.OPTIMAL

_Result = TypeVar("_Result", bound="TransportResult")
_RESULT_TYPES: dict[str, type[TransportResult]] = {}
"""Result classes by name, for :meth:`TransportResult.from_dict` (subclasses register)."""


def jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays (complex included), mappings and sequences into JSON-ready
    objects; non-finite floats become strings, anything else unknown its ``str``."""
    if isinstance(value, np.ndarray):
        if np.iscomplexobj(value):
            return {"real": value.real.tolist(), "imag": value.imag.tolist()}
        return value.tolist()
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, complex):
        return {"real": value.real, "imag": value.imag}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass(frozen=True, repr=False)
class TransportResult:
    """Certified solution of a transport problem.

    Attributes
    ----------
    cost
        Optimal value of the minimisation as the paper writes it (squared distances
        stay squared). It is the value attained by the returned ``plan``/``coupling``,
        hence equal to ``upper_bound`` unless stated otherwise by the solver.
    lower_bound, upper_bound
        Certified bracket of the optimum: ``lower_bound`` is the objective of an exactly
        feasible dual point, ``upper_bound`` that of an exactly feasible primal point.
    status
        A :class:`Status` (equal to its string value): ``"optimal"`` when the bracket width is
        within the requested tolerance; anything else says why not (e.g.
        ``"gap_exceeds_tolerance"``). Strings that name a member are stored as that member.
    solver
        What produced the numbers (``"POT.emd"``, ``"CLARABEL"``, ``"closed-form"``, ...).
    plan
        Classical transport plan (matrix of masses), when the problem is classical.
    coupling
        Quantum coupling (density operator on the tensor product), when quantum.
    channel
        Kraus operators of an optimal quantum channel, when the problem optimises over channels
        (De Palma–Trevisan).
    potentials
        Dual potentials (Kantorovich potentials), keyed by name (``"u"``, ``"v"``,
        ``"A"``, ``"B"``).
    residuals
        Constraint violations of the returned optimiser (marginal errors, least
        eigenvalues), keyed by name.
    info
        Solver-specific extras (sizes after reduction, timings, bases).
    """

    cost: float
    lower_bound: float
    upper_bound: float
    status: Status | str
    solver: str
    plan: np.ndarray | None = None
    coupling: np.ndarray | None = None
    channel: tuple[np.ndarray, ...] | None = None
    potentials: Mapping[str, np.ndarray] = field(default_factory=dict)
    residuals: Mapping[str, float] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)

    summary_properties: ClassVar[tuple[str, ...]] = ()
    """Derived quantities a subclass adds to :meth:`to_dict` (e.g. ``"cost_per_pair"``)."""

    def __post_init__(self) -> None:
        known = {member.value for member in Status}
        if not isinstance(self.status, Status) and str(self.status) in known:
            object.__setattr__(self, "status", Status(str(self.status)))

    @property
    def distance(self) -> float:
        """Square root of ``cost``, with negative round-off clipped at 0."""
        return math.sqrt(max(self.cost, 0.0))

    @property
    def gap(self) -> float:
        """Width of the certified bracket, ``upper_bound - lower_bound``."""
        return self.upper_bound - self.lower_bound

    @property
    def success(self) -> bool:
        """True when ``status`` is ``"optimal"`` (bracket within tolerance)."""
        return self.status == OPTIMAL

    def to_dict(self, *, include_arrays: bool = False) -> dict[str, Any]:
        """Return a JSON-ready summary.

        A subclass's own fields (the N-body optimiser's ``configurations``, ``weights`` and
        ``particles``, say) and its :attr:`summary_properties` are always included; fields that
        hold functions are left out. :meth:`from_dict` reads the result back.

        Parameters
        ----------
        include_arrays
            Also include ``plan``, ``coupling``, ``channel`` and ``potentials`` (can be large).
        """
        out: dict[str, Any] = {
            "type": type(self).__name__,
            "cost": self.cost,
            "distance": self.distance,
            "lower_bound": self.lower_bound,
            "upper_bound": self.upper_bound,
            "gap": self.gap,
            "status": self.status,
            "solver": self.solver,
            "residuals": dict(self.residuals),
            "info": dict(self.info),
        }
        if include_arrays:
            out["plan"] = self.plan
            out["coupling"] = self.coupling
            out["channel"] = None if self.channel is None else list(self.channel)
            out["potentials"] = dict(self.potentials)
        out.update(self._own_fields())
        return jsonable(out)

    def _own_fields(self) -> dict[str, Any]:
        """A subclass's fields and summary properties (functions left out)."""
        base = {item.name for item in fields(TransportResult)}
        own: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            held = value if isinstance(value, tuple) else (value,)
            if item.name not in base and not any(callable(v) for v in held):
                own[item.name] = value
        own.update({name: getattr(self, name) for name in self.summary_properties})
        return own

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        _RESULT_TYPES[cls.__name__] = cls

    @classmethod
    def from_dict(cls: type[_Result], data: Mapping[str, Any]) -> _Result:
        """Rebuild a result from :meth:`to_dict` output (``include_arrays=True`` keeps the
        optimiser): ``data["type"]`` picks the class (``cls`` when absent), derived keys
        (``distance``, ``gap``, ``cost_per_pair``) are recomputed. Format:
        :mod:`qmot.result_io`.

        Raises
        ------
        InvalidInputError
            A required key is missing, a value has the wrong type, or ``type`` is not a result
            class derived from ``cls``.
        """
        from qmot._result_codec import REQUIRED_KEYS, decode_fields
        from qmot.errors import InvalidInputError

        if not isinstance(data, Mapping):
            raise InvalidInputError(f"`data` must be a mapping (got {type(data).__name__})")
        missing = [key for key in REQUIRED_KEYS if key not in data]
        if missing:
            raise InvalidInputError(
                f"`data` must have the keys {missing} (got keys {sorted(data)})"
            )
        name = data.get("type", cls.__name__)
        target = _RESULT_TYPES.get(name) if isinstance(name, str) else None
        if target is None or not issubclass(target, cls):
            allowed = sorted(n for n, c in _RESULT_TYPES.items() if issubclass(c, cls))
            raise InvalidInputError(f"`data['type']` must be one of {allowed} (got {name!r})")
        known = {item.name for item in fields(target)}
        return target(**decode_fields(data, known))  # type: ignore[return-value]

    def save(self, path: str | Path) -> Path:
        """Write the result with its arrays as JSON to ``path`` (:meth:`load` reads it back)."""
        from qmot._result_codec import encode_json
        from qmot.errors import InvalidInputError

        target = Path(path)
        if not target.parent.is_dir():
            raise InvalidInputError(f"`path` must be in an existing folder (got {target})")
        target.write_text(encode_json(self.to_dict(include_arrays=True)))
        return target

    @classmethod
    def load(cls: type[_Result], path: str | Path) -> _Result:
        """Read a result written by :meth:`save` (its class must have been imported)."""
        import json

        from qmot.errors import InvalidInputError

        source = Path(path)
        if not source.is_file():
            raise InvalidInputError(f"`path` must be an existing file (got {source}: not found)")
        try:
            data = json.loads(source.read_bytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInputError(f"`path` ({source}) must be UTF-8 JSON ({exc})") from exc
        return cls.from_dict(data)

    def __repr__(self) -> str:
        extra = ""
        particles = getattr(self, "particles", None)
        if particles is not None:
            extra += f", N={particles}"
        configurations = getattr(self, "configurations", None)
        if configurations is not None:
            extra += f", configurations={len(configurations)}"
        return (
            f"{type(self).__name__}(cost={self.cost:.10g}, "
            f"bracket=[{self.lower_bound:.10g}, {self.upper_bound:.10g}], "
            f"gap={self.gap:.2e}, status={str(self.status)!r}, solver={self.solver!r}{extra})"
        )


_RESULT_TYPES[TransportResult.__name__] = TransportResult

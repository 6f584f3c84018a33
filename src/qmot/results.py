"""Immutable result objects returned by every qmot solver.

A result carries the optimal value *and* the evidence that it is right: a certified
bracket ``lower_bound <= optimum <= upper_bound`` (a dual-feasible value and a
primal-feasible value), the solver's status and the constraint residuals of the
returned optimiser.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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

        Parameters
        ----------
        include_arrays
            Also include ``plan``, ``coupling`` and ``potentials`` (can be large).
        """
        out: dict[str, Any] = {
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
        return jsonable(out)

    def __repr__(self) -> str:
        return (
            f"TransportResult(cost={self.cost:.10g}, "
            f"bracket=[{self.lower_bound:.10g}, {self.upper_bound:.10g}], "
            f"gap={self.gap:.2e}, status={str(self.status)!r}, solver={self.solver!r})"
        )

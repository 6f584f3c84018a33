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
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np

__all__ = ["TransportResult", "jsonable"]

OPTIMAL = "optimal"

_Result = TypeVar("_Result", bound="TransportResult")


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
        ``"optimal"`` when the bracket width is within the requested tolerance;
        anything else says why not (e.g. ``"gap_exceeds_tolerance"``).
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
    status: str
    solver: str
    plan: np.ndarray | None = None
    coupling: np.ndarray | None = None
    channel: tuple[np.ndarray, ...] | None = None
    potentials: Mapping[str, np.ndarray] = field(default_factory=dict)
    residuals: Mapping[str, float] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)

    summary_properties: ClassVar[tuple[str, ...]] = ()
    """Derived quantities a subclass adds to :meth:`to_dict` (e.g. ``"cost_per_pair"``)."""

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

    @classmethod
    def from_dict(cls: type[_Result], data: Mapping[str, Any]) -> _Result:
        """Rebuild a result from :meth:`to_dict` output (``include_arrays=True`` keeps the
        optimiser); see :func:`qmot.result_io.result_from_dict`."""
        from qmot.result_io import result_from_dict

        return result_from_dict(data, expected=cls)

    def save(self, path: str | Path) -> Path:
        """Write the result with its arrays to a JSON file; :meth:`load` reads it back."""
        from qmot.result_io import save_result

        return save_result(self, path)

    @classmethod
    def load(cls: type[_Result], path: str | Path) -> _Result:
        """Read a result written by :meth:`save`."""
        from qmot.result_io import load_result

        return load_result(path, expected=cls)

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
            f"gap={self.gap:.2e}, status={self.status!r}, solver={self.solver!r}{extra})"
        )

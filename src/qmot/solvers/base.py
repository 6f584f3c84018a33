r"""What every coupling solver shares: its raw output, its run controls and its options schema.

A solver is a frozen dataclass holding only its hyper-parameters (OTT-JAX's pattern); it is
called on an already reduced problem (:class:`qmot.reductions.supports.ReducedCoupling`) with a
:class:`RunControl` (tolerance, deadline, progress callback, the caller's certificate) and
returns a :class:`RawCoupling` — never a bracket: :mod:`qmot.certify` turns the raw point into
one. Each solver class carries an options schema ``{name: (rule, check)}`` (QuTiP's pattern),
and :meth:`CouplingSolver.from_options` rejects unknown or ill-typed options with an
:class:`~qmot.errors.InvalidInputError` before anything runs.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

from qmot._validation import check_named_options
from qmot.certify.tolerance import Tolerance

if TYPE_CHECKING:
    from qmot.reductions.supports import ReducedCoupling

__all__ = [
    "Certifier",
    "CouplingSolver",
    "OptionRules",
    "Progress",
    "RawCoupling",
    "RunControl",
    "SolverStatus",
]

OptionRules = Mapping[str, tuple[str, Callable[[Any], bool]]]
"""An options schema: option name → (rule in words, check)."""
Progress = Callable[[dict[str, float]], None]
"""A progress callback; it receives one record (numbers keyed by name) at a time."""
Certifier = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, float]]
"""``(Q, A, B) -> (lower, upper)``: the caller's certified bounds of a coupling and a dual point
of the reduced problem (first-order solvers use it to decide when to stop)."""


class SolverStatus(StrEnum):
    """How a solver's own run ended (its claim, which the certificates do not trust)."""

    OPTIMAL = "optimal"
    CONVERGED = "converged"
    CLOSED_FORM = "closed_form"
    STALLED = "stalled"
    TIME_LIMIT = "time_limit"
    MAX_ITERATIONS = "max_iterations"
    MAX_EVALUATIONS = "max_evaluations"
    NUMERICAL_ERROR = "numerical_error"
    INACCURATE = "inaccurate"
    FAILED = "failed"


@dataclass(frozen=True)
class RawCoupling:
    """A solver's approximate primal and dual points of a reduced coupling problem.

    Attributes
    ----------
    coupling
        Approximate optimal coupling (not yet exactly feasible).
    first_potential, second_potential
        Approximate dual potentials ``A'``, ``B'`` (not yet exactly feasible).
    status
        The solver's own account of its run.
    solver
        The solver's name.
    message
        Details for people (iterations, evaluations, the back-end's status text).
    """

    coupling: np.ndarray
    first_potential: np.ndarray
    second_potential: np.ndarray
    status: SolverStatus
    solver: str
    message: str = ""

    def describe(self) -> str:
        """``status`` with the details, as the results' ``info["solver_status"]`` shows it."""
        return f"{self.status} ({self.message})" if self.message else str(self.status)


@dataclass(frozen=True)
class RunControl:
    """What one run may spend and whom it reports to (not a hyper-parameter of the solver).

    Attributes
    ----------
    tol
        The certified tolerance the caller wants (first-order solvers stop on it).
    deadline
        ``time.perf_counter()`` value after which the run stops (``None``: no limit).
    progress
        Progress callback (``None``: quiet).
    certify
        The caller's certificate of the reduced problem (used by solvers that stop on a
        certified gap).
    """

    tol: Tolerance = dataclasses.field(default_factory=Tolerance)
    deadline: float | None = None
    progress: Progress | None = None
    certify: Certifier | None = None

    def remaining(self) -> float | None:
        """Seconds left (at least 1 ms), or ``None`` without a deadline."""
        if self.deadline is None:
            return None
        return max(self.deadline - time.perf_counter(), 1e-3)


@dataclass(frozen=True)
class CouplingSolver:
    """Base of the coupling solvers: hyper-parameters as fields, an options schema, a name."""

    name: ClassVar[str] = ""
    option_rules: ClassVar[OptionRules] = {}

    @classmethod
    def check_options(cls, options: Mapping[str, Any], *, given_as: str | None = None) -> dict:
        """Validate ``solver_options`` against the schema; ``given_as`` names the solver the
        user asked for in messages (e.g. ``"AUTO"``)."""
        return check_named_options(options, cls.option_rules, given_as or cls.name)

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None = None) -> Self:
        """The solver with the given ``solver_options`` (validated) as hyper-parameters."""
        return cls(**cls.check_options(options or {}))

    def __call__(self, problem: ReducedCoupling, control: RunControl) -> RawCoupling:
        """Solve ``problem`` (reduced: positive definite marginals of trace one)."""
        raise NotImplementedError

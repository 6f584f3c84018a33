"""Exception hierarchy of qmot.

Every error qmot raises derives from :class:`QmotError`, so callers can catch the
library's failures in one clause while still telling bad input apart from solver
trouble.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["InfeasibleError", "InvalidInputError", "QmotError", "SolverError"]


class QmotError(Exception):
    """Base class of every exception raised by qmot."""


class InvalidInputError(QmotError, ValueError):
    """An argument breaks a documented rule.

    The message names the argument, the rule and the value seen, e.g.
    ``"`weights` must sum to 1 (got 0.93)"``.
    """


class SolverError(QmotError, RuntimeError):
    """A numerical solver failed or did not reach its tolerance.

    Parameters
    ----------
    message
        Human-readable description.
    solver
        Name of the solver that failed (e.g. ``"CLARABEL"``).
    status
        The solver's own status string.
    residuals
        Constraint violations measured at the returned point, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        solver: str = "",
        status: str = "",
        residuals: Mapping[str, float] | None = None,
    ) -> None:
        details = []
        if solver:
            details.append(f"solver={solver}")
        if status:
            details.append(f"status={status}")
        if residuals:
            details.append(
                "residuals={" + ", ".join(f"{k}: {v:.3g}" for k, v in residuals.items()) + "}"
            )
        full = message if not details else f"{message} ({'; '.join(details)})"
        super().__init__(full)
        self.solver = solver
        self.status = status
        self.residuals = dict(residuals or {})


class InfeasibleError(QmotError):
    """The problem has no feasible point (e.g. a Coulomb site asked to hold two particles)."""

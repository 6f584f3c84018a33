"""The coupling solvers by name: the strings of ``solver=`` and the objects they stand for.

``solver=`` accepts a name (case-insensitive) or a solver object; with a name,
``solver_options`` become the object's hyper-parameters, checked against its options schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qmot.errors import InvalidInputError
from qmot.solvers.base import CouplingSolver
from qmot.solvers.coupling.auto import AutoCoupling
from qmot.solvers.coupling.conic import Clarabel, Scs
from qmot.solvers.coupling.entropic import QmotEntropic
from qmot.solvers.coupling.ipm import QmotIPM

__all__ = ["COUPLING_SOLVERS", "DEFAULT_SOLVER", "coupling_solver", "solver_name"]

COUPLING_SOLVERS: Mapping[str, Any] = {
    "AUTO": AutoCoupling,
    "QMOT-IPM": QmotIPM,
    "QMOT-ENTROPIC": QmotEntropic,
    "CLARABEL": Clarabel,
    "SCS": Scs,
}
"""``QMOT-IPM``: qmot's structured interior-point method; ``QMOT-ENTROPIC``: qmot's first-order
entropic solver for large couplings; ``CLARABEL`` and ``SCS``: generic conic solvers driven
through cvxpy; ``AUTO`` (the default): QMOT-IPM up to reduced dimension 400 and QMOT-ENTROPIC
above, with fallbacks (:mod:`qmot.solvers.coupling.auto`)."""
DEFAULT_SOLVER = "AUTO"

SolverChoice = CouplingSolver | AutoCoupling


def solver_name(solver: Any) -> str:
    """The registered name of ``solver`` (a name or a solver object), validated."""
    if solver is None:
        return DEFAULT_SOLVER
    if isinstance(solver, CouplingSolver | AutoCoupling):
        return solver.name
    name = str(solver).upper() if isinstance(solver, str) else None
    if name not in COUPLING_SOLVERS:
        raise InvalidInputError(
            f"`solver` must be one of {tuple(COUPLING_SOLVERS)} or a solver object (got {solver!r})"
        )
    return name


def coupling_solver(solver: Any, solver_options: Mapping[str, Any] | None) -> SolverChoice:
    """The solver object for ``solver=`` and ``solver_options=`` (both validated).

    Raises
    ------
    InvalidInputError
        An unknown solver name; ``solver_options`` that are not a mapping with string keys, or
        that the solver's schema rejects; options given together with a solver object.
    """
    if solver_options is not None and (
        not isinstance(solver_options, Mapping)
        or not all(isinstance(key, str) for key in solver_options)
    ):
        raise InvalidInputError(
            "`solver_options` must be a mapping from option names to values "
            f"(got {type(solver_options).__name__})"
        )
    if isinstance(solver, CouplingSolver | AutoCoupling):
        if solver_options:
            raise InvalidInputError(
                "`solver_options` must be empty when `solver` is a solver object (got "
                f"{sorted(solver_options)}); set them on the object instead"
            )
        return solver
    return COUPLING_SOLVERS[solver_name(solver)].from_options(solver_options)

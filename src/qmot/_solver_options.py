"""Checks of ``solver_options`` for the coupling solvers, run before any solve.

Each solver accepts its own option names; an unknown name is an
:class:`~qmot.errors.InvalidInputError` listing the accepted ones (QuTiP's per-solver options
schema). ``AUTO`` hands ``solver_options`` to QMOT-IPM and, above
:data:`qmot.sdp.AUTO_FIRST_ORDER_DIM`, to QMOT-ENTROPIC: its options must be valid for every
stage that may receive them. Clarabel and SCS options go to cvxpy unchecked here (cvxpy's
own rejection is turned into an ``InvalidInputError`` by :mod:`qmot.sdp`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qmot.errors import InvalidInputError

__all__ = ["check_coupling_solver_options"]


def _stages(solver: str, dim: int) -> tuple[str, ...]:
    """The solvers that receive ``solver_options`` for a coupling of dimension at most ``dim``."""
    if solver != "AUTO":
        return (solver,)
    from qmot.sdp import AUTO_FIRST_ORDER_DIM

    return ("QMOT-IPM",) if dim <= AUTO_FIRST_ORDER_DIM else ("QMOT-IPM", "QMOT-ENTROPIC")


def check_coupling_solver_options(
    solver: str, solver_options: Mapping[str, Any] | None, dim: int
) -> dict[str, Any]:
    """Validate ``solver_options`` for ``solver`` (an upper-case name from ``SDP_SOLVERS``).

    Parameters
    ----------
    solver
        The validated solver name.
    solver_options
        The user's options (``None``: none).
    dim
        An upper bound on the dimension of the coupling SDP (``rank R * rank S``): it decides
        which stages ``AUTO`` may run.

    Returns
    -------
    dict
        The options, as a new dictionary.

    Raises
    ------
    InvalidInputError
        ``solver_options`` is not a mapping with string keys, or holds a name (or value) that
        a stage receiving it does not accept.
    """
    if solver_options is None:
        return {}
    if not isinstance(solver_options, Mapping) or not all(
        isinstance(key, str) for key in solver_options
    ):
        raise InvalidInputError(
            "`solver_options` must be a mapping from option names to values "
            f"(got {type(solver_options).__name__})"
        )
    options = dict(solver_options)
    stages = _stages(solver, dim)
    if solver == "AUTO" and len(stages) > 1 and options:
        raise InvalidInputError(
            f"`solver_options` with solver='AUTO' must suit every stage {stages} of a coupling "
            f"of dimension up to {dim}, and no option name is shared by them (got "
            f"{sorted(options)}); name the solver to pass its options"
        )
    for stage in stages:
        if stage == "QMOT-IPM":
            from qmot.ipm import check_ipm_options

            check_ipm_options(options, solver=solver)
        elif stage == "QMOT-ENTROPIC":
            from qmot.first_order import check_entropic_options

            check_entropic_options(options)
    return options

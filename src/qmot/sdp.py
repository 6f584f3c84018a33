"""The coupling SDP entry point under its first name (kept so that existing code keeps working).

:func:`coupling_sdp` lives in :mod:`qmot.quantum.coupling` (the problem), the support reduction
in :mod:`qmot.reductions.supports`, the solvers in :mod:`qmot.solvers` and the certificates in
:mod:`qmot.certify.coupling`; this module re-exports the names it used to define.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qmot.certify.coupling import (
    FINE_SCALING_SWEEPS,
    SCALED_DEFECT,
    SCALING_SWEEPS,
    _congruence,
    certify_dual,
    certify_primal,
)
from qmot.certify.tolerance import DEFAULT_ATOL, DEFAULT_RTOL, Tolerance
from qmot.quantum.coupling import (
    FINE_SCALING_WITHIN,
    CouplingSettings,
    coupling_sdp,
    coupling_settings,
    solve_coupling,
    validate_coupling_inputs,
)
from qmot.reductions.scaling import SCALE_RANGE
from qmot.reductions.supports import ReducedCoupling, reduce_to_supports
from qmot.solvers.base import RunControl
from qmot.solvers.coupling.auto import (
    AUTO_FALLBACK_DIM,
    AUTO_FIRST_ORDER_DIM,
    AUTO_IPM_RESCUE_DIM,
    ENTROPIC_FALLBACK_GAP,
)
from qmot.solvers.coupling.closed_form import ProductCoupling
from qmot.solvers.registry import COUPLING_SOLVERS, DEFAULT_SOLVER, coupling_solver

__all__ = [
    "AUTO_FALLBACK_DIM",
    "AUTO_FIRST_ORDER_DIM",
    "AUTO_IPM_RESCUE_DIM",
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "DEFAULT_SOLVER",
    "DEFAULT_TOL",
    "ENTROPIC_FALLBACK_GAP",
    "FINE_SCALING_SWEEPS",
    "FINE_SCALING_WITHIN",
    "SCALED_DEFECT",
    "SCALE_RANGE",
    "SCALING_SWEEPS",
    "SDP_SOLVERS",
    "CouplingSettings",
    "ReducedCoupling",
    "_congruence",
    "certify_dual",
    "certify_primal",
    "coupling_sdp",
    "coupling_settings",
    "reduce_to_supports",
    "solve_coupling",
    "solve_reduced_coupling",
    "validate_coupling_inputs",
]

DEFAULT_TOL = DEFAULT_RTOL
"""Default relative tolerance (kept under its former name); the rule that decides
``"optimal"`` is :class:`qmot.certify.tolerance.Tolerance` (``atol`` and ``rtol``)."""
SDP_SOLVERS = tuple(COUPLING_SOLVERS)
"""The solver names ``solver=`` accepts (:data:`qmot.solvers.registry.COUPLING_SOLVERS`)."""


def solve_reduced_coupling(
    problem: ReducedCoupling,
    *,
    solver: str = "CLARABEL",
    solver_options: Mapping[str, Any] | None = None,
    tol: float | Tolerance = DEFAULT_TOL,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, str]:
    """Raw points of a reduced problem from one named solver (closed form for a 1-D side).

    Returns ``(coupling, A', B', solver_status, solver_name)`` before certification. Solvers
    that stop on a certified gap (QMOT-ENTROPIC, AUTO) need the pipeline of
    :func:`qmot.quantum.coupling.solve_coupling` instead.
    """
    if min(problem.dims) == 1:
        engine: Any = ProductCoupling()
    else:
        engine = coupling_solver(solver, solver_options)
    rule = tol if isinstance(tol, Tolerance) else Tolerance.legacy(tol)
    raw = engine(problem, RunControl(tol=rule))
    return raw.coupling, raw.first_potential, raw.second_potential, raw.describe(), raw.solver

"""QMOT-IPM under its first module name; it lives in :mod:`qmot.solvers.coupling.ipm`."""

from qmot.solvers.coupling.ipm import (
    NAME,
    IPMResult,
    QmotIPM,
    _Constraints,
    _schur_solver,
    check_ipm_options,
    solve_coupling_ipm,
)

__all__ = [
    "NAME",
    "IPMResult",
    "QmotIPM",
    "_Constraints",
    "_schur_solver",
    "check_ipm_options",
    "solve_coupling_ipm",
]

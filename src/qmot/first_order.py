"""QMOT-ENTROPIC under its first module name; it lives in :mod:`qmot.solvers.coupling.entropic`."""

from qmot.solvers.coupling.entropic import (
    GIBBS_CUTOFF,
    NAME,
    EntropicResult,
    QmotEntropic,
    _gibbs_marginals,
    _WarmEigensolver,
    check_entropic_options,
    solve_coupling_entropic,
)

__all__ = [
    "GIBBS_CUTOFF",
    "NAME",
    "EntropicResult",
    "QmotEntropic",
    "_WarmEigensolver",
    "_gibbs_marginals",
    "check_entropic_options",
    "solve_coupling_entropic",
]

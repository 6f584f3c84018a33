"""Algorithms only: every solver of qmot, called on an already validated and reduced problem.

* coupling SDPs (:mod:`qmot.solvers.coupling`): QMOT-IPM (structured interior point),
  QMOT-ENTROPIC (first order, entropic), Clarabel and SCS through cvxpy, the closed form of a
  one-dimensional side, and the ``AUTO`` policy over them;
* symmetric N-marginal transport on sites (:mod:`qmot.solvers.occupation`): the occupation LP
  (HiGHS), pricing, column generation, the doubly non-negative relaxation.

Solvers are frozen dataclasses of hyper-parameters with an options schema; they return raw
points, which :mod:`qmot.certify` turns into certified brackets. A solver never validates user
input (the entry points do) and never claims optimality on its own.
"""

from qmot.solvers.base import CouplingSolver, RawCoupling, RunControl, SolverStatus
from qmot.solvers.coupling.auto import AutoCoupling
from qmot.solvers.coupling.conic import Clarabel, Scs
from qmot.solvers.coupling.entropic import QmotEntropic
from qmot.solvers.coupling.ipm import QmotIPM
from qmot.solvers.registry import COUPLING_SOLVERS, coupling_solver

__all__ = [
    "COUPLING_SOLVERS",
    "AutoCoupling",
    "Clarabel",
    "CouplingSolver",
    "QmotEntropic",
    "QmotIPM",
    "RawCoupling",
    "RunControl",
    "Scs",
    "SolverStatus",
    "coupling_solver",
]

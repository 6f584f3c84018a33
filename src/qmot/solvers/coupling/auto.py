"""``AUTO``: which coupling solver runs, in which order, and when the next one takes over.

QMOT-IPM goes first up to reduced dimension :data:`AUTO_FIRST_ORDER_DIM`, QMOT-ENTROPIC above.
A stage that crashes or misses the tolerance hands over to the next (Clarabel on small
problems, QMOT-ENTROPIC on larger ones, QMOT-IPM as the rescue of a stalled first-order run up
to :data:`AUTO_IPM_RESCUE_DIM`), and the best certified primal and dual points of all stages
are kept. Each stage receives only the ``solver_options`` its own schema names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from qmot.certify.coupling import CouplingCertificate, combine
from qmot.certify.tolerance import Tolerance
from qmot.errors import InvalidInputError
from qmot.solvers.base import CouplingSolver
from qmot.solvers.coupling.conic import Clarabel
from qmot.solvers.coupling.entropic import QmotEntropic
from qmot.solvers.coupling.ipm import QmotIPM

__all__ = [
    "AUTO_FALLBACK_DIM",
    "AUTO_FIRST_ORDER_DIM",
    "AUTO_IPM_RESCUE_DIM",
    "ENTROPIC_FALLBACK_GAP",
    "AutoCoupling",
]

AUTO_FALLBACK_DIM = 49
"""Largest reduced coupling dimension r·s for which ``AUTO`` falls back to Clarabel."""
AUTO_FIRST_ORDER_DIM = 400
"""Largest reduced coupling dimension r·s that ``AUTO`` gives to QMOT-IPM first. Measured
(1 thread): QMOT-IPM certifies 1e-8 gaps in 3–5 s at r·s = 195–247 (thermal states with
quadrature costs, Wirth §3), where QMOT-ENTROPIC needed ≈ 30 s for 5e-5 (before its warm
eigensolver); but it stalls far from optimal on coherent mixtures whose reduced marginals have
condition numbers ≈ 1e11 (r·s = 256, 480), where QMOT-ENTROPIC certifies 1e-4 (11 s at 256,
40 s at 480 on 2 cores, ``benchmarks/bench_first_order.py``). Above 400 an interior-point
iteration costs seconds, so QMOT-ENTROPIC goes first."""
AUTO_IPM_RESCUE_DIM = 900
"""Largest reduced dimension r·s at which ``AUTO`` hands a stalled QMOT-ENTROPIC run over to
QMOT-IPM. Measured on the Fock pair of thermal states n̄ = 0.3, 1 at cut-off 20 (r·s = 441):
QMOT-ENTROPIC stalls at a certified gap of 5e-5, QMOT-IPM certifies 1.8e-8 in about 70 s
(2 cores)."""
ENTROPIC_FALLBACK_GAP = 1e-5
"""``AUTO`` runs QMOT-ENTROPIC after QMOT-IPM (r·s > ``AUTO_FALLBACK_DIM``) only when the IPM's
certified relative gap is above this: a first-order method does not improve smaller gaps."""

StageRunner = Callable[[CouplingSolver], CouplingCertificate]
"""Runs one solver on the problem and returns its certificate (the pipeline's job)."""


@dataclass(frozen=True)
class AutoCoupling:
    """The ``AUTO`` policy over the stage solvers it holds (each with its own options)."""

    name: ClassVar[str] = "AUTO"
    ipm: QmotIPM = field(default_factory=QmotIPM)
    entropic: QmotEntropic = field(default_factory=QmotEntropic)
    conic: Clarabel = field(default_factory=Clarabel)

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None = None) -> AutoCoupling:
        """Split ``solver_options`` between the stages by their schemas; a name that no stage
        accepts is an :class:`~qmot.errors.InvalidInputError`."""
        options = dict(options or {})
        stages = (QmotIPM, QmotEntropic)
        known = {name for stage in stages for name in stage.option_rules}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidInputError(
                f"`solver_options` for AUTO must use names of its stages' options "
                f"{sorted(known)} (got {unknown}); name the solver to pass other options"
            )
        parts = [{k: v for k, v in options.items() if k in stage.option_rules} for stage in stages]
        checked = [
            stage.check_options(part, given_as="AUTO")
            for stage, part in zip(stages, parts, strict=True)
        ]
        return cls(ipm=QmotIPM(**checked[0]), entropic=QmotEntropic(**checked[1]))

    def run(
        self,
        size: int,
        run_stage: StageRunner,
        tol: Tolerance,
        timed_out: Callable[[], bool],
    ) -> CouplingCertificate:
        """Run the stages for a reduced problem of dimension ``size`` = r·s."""
        if size > AUTO_FIRST_ORDER_DIM:
            certificate = run_stage(self.entropic)
            if certificate.within(tol) or timed_out() or size > AUTO_IPM_RESCUE_DIM:
                return certificate
            # the first-order method stalled with budget left: switch method
            return combine(certificate, run_stage(self.ipm))
        certificate = run_stage(self.ipm)
        if certificate.within(tol) or timed_out():
            return certificate
        if size <= AUTO_FALLBACK_DIM:
            return combine(certificate, run_stage(self.conic))
        relative_gap = (certificate.upper - certificate.lower) / max(1.0, abs(certificate.upper))
        if relative_gap <= ENTROPIC_FALLBACK_GAP:
            return certificate
        return combine(certificate, run_stage(self.entropic))

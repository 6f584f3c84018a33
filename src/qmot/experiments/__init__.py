"""Reproductions of the papers qmot implements: one module per paper.

Each module exposes ``run(quick=True) -> ExperimentReport``: the paper's claims, each with
qmot's value, its evidence (certified bracket) and a pass/fail verdict, plus tables and
matplotlib figures.
"""

from qmot.experiments.claims import Claim, ExperimentReport

__all__ = ["Claim", "ExperimentReport"]

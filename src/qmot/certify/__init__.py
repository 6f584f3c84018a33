"""Certificates: turning a solver's raw output into a bracket that is true for the user's problem.

Every certificate in qmot uses the one rounding-margin rule of :mod:`qmot.certify.margins`.
"""

from qmot.certify.margins import (
    ROUNDING_FACTOR,
    certified_least_eigenvalue,
    dot_margin,
    eigenvalue_margin,
    rounding_floor,
    rounding_margin,
)

__all__ = [
    "ROUNDING_FACTOR",
    "certified_least_eigenvalue",
    "dot_margin",
    "eigenvalue_margin",
    "rounding_floor",
    "rounding_margin",
]

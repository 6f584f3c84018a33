"""Column generation under its first module name (kept so that existing code keeps working).

The algorithm lives in :mod:`qmot.solvers.occupation.column_generation`, its pricing in
:mod:`qmot.solvers.occupation.pricing`, the occupation LP in
:mod:`qmot.solvers.occupation.highs_lp` and the relaxation bounds in
:mod:`qmot.manybody.relaxations`.
"""

from qmot.certify.occupation import lagrangian_margin as _margin
from qmot.manybody.relaxations import dnn_lower_bound, dnn_pricing_bound
from qmot.solvers.occupation.column_generation import ColumnGenerationReport, column_generation
from qmot.solvers.occupation.dnn_relaxation import _solve_dnn_dual, _weak_duality_bound
from qmot.solvers.occupation.highs_lp import OccupationLP, RestrictedMaster
from qmot.solvers.occupation.pricing import (
    PRICING_ENGINES,
    ExactPricing,
    exact_pricing,
    local_search_pricing,
    reduced_costs,
)

__all__ = [
    "PRICING_ENGINES",
    "ColumnGenerationReport",
    "ExactPricing",
    "OccupationLP",
    "RestrictedMaster",
    "_margin",
    "_solve_dnn_dual",
    "_weak_duality_bound",
    "column_generation",
    "dnn_lower_bound",
    "dnn_pricing_bound",
    "exact_pricing",
    "local_search_pricing",
    "reduced_costs",
]

"""Symmetric N-body and infinite-body optimal transport with pair costs (Cotar–Friesecke–Pass
2015).

References
----------
* C. Cotar, G. Friesecke, B. Pass, *Infinite-body optimal transport with Coulomb cost*,
  Calc. Var. PDE 54 (2015), doi:10.1007/s00526-014-0803-0; arXiv:1307.6540.
"""

from qmot.manybody.marginals import density_to_marginal, grid_sites
from qmot.manybody.mean_field import (
    MeanFieldComparison,
    compare_with_mean_field,
    hartree,
    mean_field_value,
)
from qmot.manybody.one_dimensional import SCE1DResult, sce_1d
from qmot.manybody.pair_costs import (
    Coulomb,
    Exponential,
    Gaussian,
    InverseMultiquadric,
    PairCost,
    Quadratic,
    SoftCoulomb,
    TruncatedQuadratic,
    Yukawa,
)
from qmot.manybody.radial import RadialSCEResult, radial_hartree_energy, sce_radial
from qmot.manybody.radial_shells import ShellComparison, three_electron_shells
from qmot.manybody.representability import (
    Representability,
    de_finetti_pair_measure,
    is_n_representable,
    representability_hierarchy,
)
from qmot.manybody.symmetric_ot import SymmetricOTResult, sce_energy, symmetric_ot

__all__ = [
    "Coulomb",
    "Exponential",
    "Gaussian",
    "InverseMultiquadric",
    "MeanFieldComparison",
    "PairCost",
    "Quadratic",
    "RadialSCEResult",
    "Representability",
    "SCE1DResult",
    "ShellComparison",
    "SoftCoulomb",
    "SymmetricOTResult",
    "TruncatedQuadratic",
    "Yukawa",
    "compare_with_mean_field",
    "de_finetti_pair_measure",
    "density_to_marginal",
    "grid_sites",
    "hartree",
    "is_n_representable",
    "mean_field_value",
    "radial_hartree_energy",
    "representability_hierarchy",
    "sce_1d",
    "sce_energy",
    "sce_radial",
    "symmetric_ot",
    "three_electron_shells",
]

"""Quantum optimal transport: the Golse–Mouhot–Paul pseudo-distance MK_ħ (Caglioti–Golse–Paul 2020)
and the
De Palma–Trevisan quantum Wasserstein divergence (Wirth 2025)."""

from qmot.quantum.channels import (
    apply_channel,
    apply_dual,
    choi_to_kraus,
    compose,
    gns_inner,
    kms_inner,
    kms_norm,
    kraus_to_choi,
    random_channel,
)
from qmot.quantum.coupling import coupling_sdp
from qmot.quantum.de_palma_trevisan import (
    TriangleCheck,
    TriangleSearch,
    adversarial_triangle_search,
    dpt_cost,
    dpt_divergence,
    dpt_original_squared,
    integral_representation,
    subadditivity,
    triangle_check,
)
from qmot.quantum.golse_paul import (
    CouplingAnalysis,
    QuantumSaving,
    analyse_coupling,
    classical_cost,
    cost_operator,
    coupling_from_coherent_frame,
    frame_change,
    husimi,
    mk2,
    quantum_saving,
)
from qmot.quantum.operators import pauli, quadratures, spin
from qmot.quantum.states import (
    CoherentMixture,
    FockDensity,
    QuantumState,
    StateSection,
    coherent_cutoff,
)

__all__ = [
    "CoherentMixture",
    "CouplingAnalysis",
    "FockDensity",
    "QuantumSaving",
    "QuantumState",
    "StateSection",
    "TriangleCheck",
    "TriangleSearch",
    "adversarial_triangle_search",
    "analyse_coupling",
    "apply_channel",
    "apply_dual",
    "choi_to_kraus",
    "classical_cost",
    "coherent_cutoff",
    "compose",
    "cost_operator",
    "coupling_from_coherent_frame",
    "coupling_sdp",
    "dpt_cost",
    "dpt_divergence",
    "dpt_original_squared",
    "frame_change",
    "gns_inner",
    "husimi",
    "integral_representation",
    "kms_inner",
    "kms_norm",
    "kraus_to_choi",
    "mk2",
    "pauli",
    "quadratures",
    "quantum_saving",
    "random_channel",
    "spin",
    "subadditivity",
    "triangle_check",
]

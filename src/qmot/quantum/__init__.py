"""Quantum optimal transport: the Golse–Mouhot–Paul pseudo-distance MK_ħ (seed 000)."""

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
from qmot.quantum.states import CoherentMixture, FockDensity, StateSection, coherent_cutoff

__all__ = [
    "CoherentMixture",
    "CouplingAnalysis",
    "FockDensity",
    "QuantumSaving",
    "StateSection",
    "analyse_coupling",
    "classical_cost",
    "coherent_cutoff",
    "cost_operator",
    "coupling_from_coherent_frame",
    "frame_change",
    "husimi",
    "mk2",
    "quantum_saving",
]

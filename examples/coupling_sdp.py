r"""Optimal quantum coupling of two qubit states with a certified bracket.
======================================================================

Cost operator :math:`C = \sum_k (\sigma_k \otimes 1 - 1 \otimes \sigma_k)^2` (Pauli matrices):
the coupling SDP :math:`\min \operatorname{tr}(CQ)` over couplings of ``R`` and ``S``, its
Kantorovich dual, and what happens when a marginal is rank-deficient (pure).
"""

from __future__ import annotations

import numpy as np

from qmot.linalg import random_density_matrix
from qmot.sdp import coupling_sdp

PAULI = (
    np.array([[0, 1], [1, 0]], dtype=complex),
    np.array([[0, -1j], [1j, 0]]),
    np.array([[1, 0], [0, -1]], dtype=complex),
)


def pauli_cost() -> np.ndarray:
    """:math:`\\sum_k (\\sigma_k \\otimes 1 - 1 \\otimes \\sigma_k)^2` on C² ⊗ C²."""
    identity = np.eye(2)
    terms = [np.kron(s, identity) - np.kron(identity, s) for s in PAULI]
    return sum(t @ t for t in terms)


def main() -> None:
    cost = pauli_cost()
    mixed = random_density_matrix(2, seed=1)
    other = random_density_matrix(2, seed=2)
    pure = random_density_matrix(2, rank=1, seed=3)
    print("Coupling SDP with the Pauli cost on C^2 ⊗ C^2")
    for label, first, second in [
        ("mixed vs mixed", mixed, other),
        ("mixed vs pure", mixed, pure),
        ("state vs itself", mixed, mixed),
    ]:
        result = coupling_sdp(cost, first, second)
        print(f"  {label:16s} {result!r}")
        print(
            f"  {'':16s} reduced dims {result.info['reduced_dims']}, residuals "
            + ", ".join(f"{k}={v:.1e}" for k, v in result.residuals.items())
        )


if __name__ == "__main__":
    main()

"""A cost multiplied by a power of two: an exact reduction of any problem homogeneous in it.

Multiplying by :math:`2^k` is exact in floating point, and the optimal value, the potentials
and the bracket scale by the same factor, so no solver needs to see costs near overflow or
underflow.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SCALE_RANGE", "power_of_two_scale"]

SCALE_RANGE = 2.0**20
"""Costs whose largest entry lies outside ``[2^-20, 2^20]`` are solved after multiplication by
a power of two that brings it into ``[1/2, 1)``."""


def power_of_two_scale(cost: np.ndarray) -> float:
    """The power of two to multiply ``cost`` by (1.0 when its largest entry is in range).

    Examples
    --------
    >>> power_of_two_scale(np.array([3e7])), power_of_two_scale(np.array([0.5]))
    (2.9802322387695312e-08, 1.0)
    """
    largest = float(np.abs(cost).max()) if cost.size else 0.0
    if largest == 0.0 or 1.0 / SCALE_RANGE <= largest <= SCALE_RANGE:
        return 1.0
    return math.ldexp(1.0, -math.frexp(largest)[1])

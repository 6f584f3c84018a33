"""Shared fixtures and hypothesis settings."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# CI runs a fixed, reproducible set of examples (derandomize); explore new ones locally with
# HYPOTHESIS_PROFILE=explore.
settings.register_profile(
    "qmot",
    deadline=None,
    max_examples=25,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "qmot"))


def random_hermitian(dim: int, rng: np.random.Generator) -> np.ndarray:
    """A random complex Hermitian matrix (GUE-like)."""
    g = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    return (g + g.conj().T) / 2


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)

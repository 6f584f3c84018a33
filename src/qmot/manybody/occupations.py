"""Occupation vectors under their first module name; they live in
:mod:`qmot.reductions.occupations`."""

from qmot.reductions.occupations import (
    configuration_cost,
    configuration_count,
    cyclic_quantile_plan,
    enumerate_configurations,
    pair_measure,
)

__all__ = [
    "configuration_cost",
    "configuration_count",
    "cyclic_quantile_plan",
    "enumerate_configurations",
    "pair_measure",
]

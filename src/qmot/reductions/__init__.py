"""Exact reductions of the problems to smaller finite ones, before any solver runs.

* :mod:`qmot.reductions.supports` — a coupling problem restricted to the supports of its
  marginals (every coupling lives there);
* :mod:`qmot.reductions.scaling` — a cost multiplied by a power of two (exact in floating point);
* :mod:`qmot.reductions.occupations` — symmetric N-marginal transport on sites as a linear
  program over occupation vectors.

The coherent-span and Fock sections of quantum states are reductions too; they live with the
states (:meth:`qmot.quantum.CoherentMixture.section`).
"""

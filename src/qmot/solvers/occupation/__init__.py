"""Solvers of the occupation LP of symmetric N-marginal transport (see :mod:`qmot.solvers`)."""

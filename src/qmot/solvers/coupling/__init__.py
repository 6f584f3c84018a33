"""Coupling SDP solvers: one module per algorithm (see :mod:`qmot.solvers`)."""

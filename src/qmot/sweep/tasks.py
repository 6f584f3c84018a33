"""The tasks a sweep can run: the shipped registry and user tasks named ``module:function``.

A task is a function whose keyword arguments are the sweep's parameters (plus, when the spec
sets them, ``solver``, ``tol``, ``max_time`` and ``solver_options``) and which returns a
:class:`~qmot.results.TransportResult`. Parameters are checked against the task's signature
before any Dask cluster starts, so a missing or misspelt parameter is a one-line error, not a
``KeyError`` on a worker.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from qmot.errors import InvalidInputError
from qmot.results import TransportResult

__all__ = ["TASKS", "check_task_arguments", "register_task", "resolve_task"]

Task = Callable[..., TransportResult]


def mk2_two_particles(
    *,
    eta: float,
    hbar: float,
    a: float = 1.0,
    solver: str | None = None,
    tol: float | None = None,
    max_time: float | None = None,
    solver_options: Mapping[str, Any] | None = None,
) -> TransportResult:
    """MK_ħ² between two two-point coherent mixtures at ±a (weights (1±η)/2 against ½, ½)."""
    from qmot.quantum import CoherentMixture, mk2

    points = [[a, 0.0], [-a, 0.0]]
    first = CoherentMixture(points, [(1 + eta) / 2, (1 - eta) / 2], hbar=hbar)
    second = CoherentMixture(points, [0.5, 0.5], hbar=hbar)
    return mk2(
        first, second, solver=solver, tol=tol, max_time=max_time, solver_options=solver_options
    )


def mk2_random(
    *,
    size: int,
    hbar: float,
    modes: int = 1,
    seed: int = 0,
    solver: str | None = None,
    tol: float | None = None,
    max_time: float | None = None,
    solver_options: Mapping[str, Any] | None = None,
) -> TransportResult:
    """MK_ħ² between two random coherent mixtures of ``size`` points in ``modes`` modes."""
    from qmot.quantum import CoherentMixture, mk2

    rng = np.random.default_rng(seed)
    states = [
        CoherentMixture(rng.normal(size=(size, 2 * modes)), rng.dirichlet(np.ones(size)), hbar=hbar)
        for _ in range(2)
    ]
    return mk2(*states, solver=solver, tol=tol, max_time=max_time, solver_options=solver_options)


def dpt_random(
    *,
    dim: int,
    rank: int | None = None,
    seed: int = 0,
    solver: str | None = None,
    tol: float | None = None,
    max_time: float | None = None,
    solver_options: Mapping[str, Any] | None = None,
) -> TransportResult:
    """W_2,DPT² between two random density matrices with the spin-(dim−1)/2 operators."""
    from qmot.linalg import random_density_matrix
    from qmot.quantum import dpt_divergence, spin

    rng = np.random.default_rng(seed)
    rank = dim if rank is None else rank
    return dpt_divergence(
        random_density_matrix(dim, rank, seed=rng),
        random_density_matrix(dim, rank, seed=rng),
        spin((dim - 1) / 2),
        solver=solver,
        tol=tol,
        max_time=max_time,
        solver_options=solver_options,
    )


def nbody_line(
    *, cost: str, N: int, sites: int = 8, max_time: float | None = None
) -> TransportResult:
    """Symmetric N-marginal OT of the uniform density on ``sites`` points of [0, 1]."""
    from qmot import manybody

    costs = {
        "coulomb": manybody.Coulomb(),
        "gaussian": manybody.Gaussian(0.3),
        "exponential": manybody.Exponential(2.0),
        "quadratic": manybody.Quadratic(),
    }
    if cost not in costs:
        raise InvalidInputError(f"`cost` must be one of {sorted(costs)} (got {cost!r})")
    x = np.linspace(0.0, 1.0, sites)
    return manybody.symmetric_ot(
        costs[cost].matrix(x), np.full(sites, 1 / sites), N, max_time=max_time
    )


TASKS: dict[str, Task] = {
    "mk2_two_particles": mk2_two_particles,
    "mk2_random": mk2_random,
    "dpt_random": dpt_random,
    "nbody_line": nbody_line,
}
"""The shipped tasks, by name. Add your own with :func:`register_task` or name them in a spec
as ``"package.module:function"``."""


def register_task(name: str, function: Task) -> None:
    """Make ``function`` available to sweeps as ``task = name`` (in this process).

    Worker processes do not see registrations made here; for a cluster of processes or remote
    workers, name the task as ``"package.module:function"`` (importable on every worker).
    """
    if not isinstance(name, str) or not name or ":" in name:
        raise InvalidInputError(f"`name` must be a non-empty string without ':' (got {name!r})")
    if not callable(function):
        raise InvalidInputError(f"`function` must be callable (got {type(function).__name__})")
    TASKS[name] = function


def resolve_task(name: object) -> Task:
    """The function of a task: a registered name or ``"package.module:function"``.

    Raises
    ------
    InvalidInputError
        The name is neither registered nor an importable ``module:function``.
    """
    if not isinstance(name, str):
        raise InvalidInputError(f"`sweep.task` must be a string (got {type(name).__name__})")
    if name in TASKS:
        return TASKS[name]
    if name.count(":") != 1:
        raise InvalidInputError(
            f"`sweep.task` must be one of {sorted(TASKS)} or 'package.module:function' "
            f"(got {name!r})"
        )
    module_name, attribute = name.split(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an ImportError, or any error raised while importing it
        raise InvalidInputError(
            f"`sweep.task` module {module_name!r} must be importable ({type(exc).__name__}: {exc})"
        ) from exc
    function = getattr(module, attribute, None)
    if not callable(function):
        raise InvalidInputError(
            f"`sweep.task` must name a function of {module_name!r} (got {attribute!r}: "
            f"{'missing' if function is None else type(function).__name__})"
        )
    return function


_SIMPLE_TYPES: dict[Any, tuple[type, ...]] = {
    float: (int, float),
    int: (int,),
    str: (str,),
    bool: (bool,),
}


def _signature(function: Task) -> inspect.Signature:
    try:
        return inspect.signature(function, eval_str=True)
    except (NameError, TypeError, SyntaxError):  # annotations that cannot be evaluated
        return inspect.signature(function)


def _check_type(task: str, name: str, annotation: object, values: list[Any]) -> None:
    allowed = _SIMPLE_TYPES.get(annotation)
    if allowed is None:
        return
    for value in values:
        if (isinstance(value, bool) and annotation is not bool) or not isinstance(value, allowed):
            raise InvalidInputError(
                f"`parameters.{name}` must be {annotation.__name__} for task {task!r} "  # type: ignore[attr-defined]
                f"(got {type(value).__name__} {value!r})"
            )


def check_task_arguments(
    task: str, function: Task, parameters: Mapping[str, Any], options: Mapping[str, Any]
) -> None:
    """Check the swept parameters and the solver options against the task's signature.

    Raises
    ------
    InvalidInputError
        A parameter the task needs is missing, one it does not take is given, or a value has
        the wrong type for a parameter annotated ``int``, ``float``, ``str`` or ``bool``.
    """
    signature = _signature(function)
    accepted = {
        name: p
        for name, p in signature.parameters.items()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    }
    takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    required = [n for n, p in accepted.items() if p.default is p.empty]
    missing = [n for n in required if n not in parameters and n not in options]
    if missing:
        raise InvalidInputError(
            f"`parameters` must set {', '.join(missing)} for task {task!r} "
            f"(required: {', '.join(required)}; got {sorted(parameters)})"
        )
    for source, names in (("parameters", parameters), ("sweep", options)):
        unknown = [n for n in names if n not in accepted]
        if unknown and not takes_any:
            raise InvalidInputError(
                f"`{source}.{unknown[0]}` must be an argument of task {task!r} "
                f"(it takes: {', '.join(accepted) or 'nothing'})"
            )
    for name, value in parameters.items():
        if name in accepted:
            values = value if isinstance(value, list) else [value]
            _check_type(task, name, accepted[name].annotation, values)

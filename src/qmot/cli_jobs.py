"""The commands for qmot's three jobs: ``qmot mk2``, ``qmot dpt``, ``qmot sce``, ``qmot nbody``.

Each reads its inputs from files (formats in :mod:`qmot.job_files`), prints a table of the value
and its evidence (or JSON with ``--json``), and exits with code 0 when the result is
``"optimal"``, 1 when a certified bracket is returned that does not meet the tolerance (a time
limit, say), and 2 with one ``error: ...`` line for bad input or a failed solve.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from qmot.errors import InvalidInputError
from qmot.results import TransportResult, jsonable

__all__ = ["register_job_commands", "result_table"]

console = Console()

JSON_HELP = "Print JSON (value, bracket, status, residuals and the optimiser's summary)."
MAX_TIME_HELP = "Wall-clock budget in seconds; the best certified bracket so far is returned."
TOL_HELP = "Required certified bracket width (the solver's tolerance rule)."
PROGRESS_HELP = "Live progress on standard error (default: when it is a terminal)."

AsJson = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
MaxTime = Annotated[float | None, typer.Option("--max-time", help=MAX_TIME_HELP)]
Tol = Annotated[float | None, typer.Option("--tol", help=TOL_HELP)]
Progress = Annotated[bool | None, typer.Option("--progress/--no-progress", help=PROGRESS_HELP)]


def _paragraphs(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


def _check_budget(max_time: float | None, tol: float | None) -> None:
    from qmot._validation import check_seconds, check_tolerance

    check_seconds(max_time, "--max-time")
    if tol is not None:
        check_tolerance(tol, "--tol")


def _progress_enabled(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def _check_choice(value: str, option: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidInputError(f"`{option}` must be one of {', '.join(choices)} (got {value!r})")


def _within_time(solve: Callable[[], Any], max_time: float | None) -> Any:
    """Run a solve that has no budget of its own; give up after ``max_time`` seconds."""
    if max_time is None:
        return solve()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = solve()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(max_time)
    if worker.is_alive():
        raise InvalidInputError(
            f"`--max-time` of {max_time:g} s was reached before this solver finished "
            "(it has no intermediate bracket to return)"
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def result_table(title: str, result: TransportResult) -> Table:
    """A rich table of a result's value and evidence."""
    table = Table(title=title, show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value")
    table.add_row("cost", f"{result.cost:.12g}")
    table.add_row("distance", f"{result.distance:.12g}")
    table.add_row("certified bracket", f"[{result.lower_bound:.12g}, {result.upper_bound:.12g}]")
    table.add_row("gap", f"{result.gap:.3e}")
    table.add_row("status", result.status)
    table.add_row("solver", result.solver)
    for name, value in result.residuals.items():
        table.add_row(f"residual {name}", f"{value:.3e}")
    return table


def _show(title: str, result: TransportResult, extra: dict[str, Any], as_json: bool) -> None:
    """Print a result as a table (with ``extra`` rows) or as JSON; exit 1 unless optimal."""
    if as_json:
        typer.echo(json.dumps(jsonable({**result.to_dict(), **extra}), indent=2))
    else:
        table = result_table(title, result)
        for key, value in extra.items():
            if not isinstance(value, list | dict):
                table.add_row(
                    key.replace("_", " "),
                    f"{value:.12g}" if isinstance(value, float) else str(value),
                )
        console.print(table)
    if not result.success:
        raise typer.Exit(code=1)


def _tolerance(tol: float | None) -> dict[str, Any]:
    """``{"tol": tol}`` when given (the entry point's own default otherwise)."""
    return {} if tol is None else {"tol": tol}


MK2_HELP = _paragraphs(
    (
        "Squared quantum Wasserstein pseudo-distance MK_ħ(R, S)² (Golse–Mouhot–Paul; see "
        "Caglioti–Golse–Paul, Quantum optimal transport is cheaper, 2020, arXiv:1908.01829)."
    ),
    (
        'R and S are JSON files with a "kind": {"kind": "coherent", "points": [[q.., p..], ...], '
        '"weights": [...], "hbar": 0.5}; {"kind": "fock", "matrix": [[...]], "hbar": 0.5, "modes": '
        '1} (complex entries as {"real": [[...]], "imag": [[...]]}); {"kind": "number", '
        '"occupation": 2, "cutoff": 4, "hbar": 0.5}; {"kind": "thermal", "mean_occupation": 0.3, '
        '"cutoff": 20, "hbar": 0.5}. A .npy file is a Fock density matrix (with --hbar and '
        "--modes)."
    ),
)


def mk2_command(
    first: Annotated[Path, typer.Argument(metavar="R", help="First state (.json or .npy).")],
    second: Annotated[Path, typer.Argument(metavar="S", help="Second state (.json or .npy).")],
    as_json: AsJson = False,
    max_time: MaxTime = None,
    tol: Tol = None,
    solver: Annotated[
        str | None, typer.Option("--solver", help="AUTO, QMOT-IPM, QMOT-ENTROPIC, CLARABEL, SCS.")
    ] = None,
    hbar: Annotated[float, typer.Option("--hbar", help="ħ of .npy states.")] = 1.0,
    modes: Annotated[int, typer.Option("--modes", help="Modes of .npy states.")] = 1,
    progress: Progress = None,
) -> None:
    from qmot.job_files import load_state
    from qmot.quantum import mk2

    _check_budget(max_time, tol)
    R = load_state(first, "R", hbar=hbar, modes=modes)
    S = load_state(second, "S", hbar=hbar, modes=modes)
    result = mk2(
        R,
        S,
        solver=solver,
        max_time=max_time,
        verbose=_progress_enabled(progress),
        **_tolerance(tol),
    )
    extra = {"hbar": R.hbar, "basis": result.info.get("basis", "")}
    _show(f"MK_ħ²({first.name}, {second.name})", result, extra, as_json)


DPT_HELP = _paragraphs(
    (
        "Squared De Palma–Trevisan quantum Wasserstein divergence W_2,DPT(ρ, σ)² (M. Wirth, "
        "Triangle inequality for a quantum Wasserstein divergence, 2025, Def. 2.12)."
    ),
    (
        "RHO and SIGMA are density matrices: .npy (real or complex), .json (nested lists, or "
        '{"real": [[...]], "imag": [[...]]}) or .csv (real). --ops is pauli, spin:J (J = 1/2, 1, '
        "3/2, ...) or a file of m square matrices (.npy of shape (m, d, d), or a .json list of "
        "matrices)."
    ),
)


def dpt_command(
    rho: Annotated[Path, typer.Argument(metavar="RHO", help="Density matrix ρ.")],
    sigma: Annotated[Path, typer.Argument(metavar="SIGMA", help="Density matrix σ.")],
    ops: Annotated[
        str, typer.Option("--ops", help="pauli, spin:J or FILE (operators on ρ's space).")
    ],
    ops_sigma: Annotated[
        str | None, typer.Option("--ops-sigma", help="Operators on σ's space (default: --ops).")
    ] = None,
    as_json: AsJson = False,
    max_time: MaxTime = None,
    tol: Tol = None,
    solver: Annotated[
        str | None, typer.Option("--solver", help="AUTO, QMOT-IPM, QMOT-ENTROPIC, CLARABEL, SCS.")
    ] = None,
    progress: Progress = None,
) -> None:
    from qmot.job_files import load_array, load_operators
    from qmot.quantum import dpt_divergence

    _check_budget(max_time, tol)
    x_ops = load_operators(ops, "--ops")
    y_ops = None if ops_sigma is None else load_operators(ops_sigma, "--ops-sigma")
    result = dpt_divergence(
        load_array(rho, "RHO"),
        load_array(sigma, "SIGMA"),
        x_ops,
        y_ops,
        solver=solver,
        max_time=max_time,
        verbose=_progress_enabled(progress),
        **_tolerance(tol),
    )
    extra = {"kraus_operators": len(result.channel or ())}
    _show(f"W_2,DPT²({rho.name}, {sigma.name})", result, extra, as_json)


SCE_HELP = _paragraphs(
    (
        "Strictly-correlated-electrons energy: symmetric N-marginal optimal transport of a density "
        "on the line (C. Cotar, G. Friesecke, B. Pass, Infinite-body optimal transport with Coulomb"
        " cost, Calc. Var. PDE 2015, arXiv:1307.6540), by co-motion functions."
    ),
    (
        "DENSITY is a file of two columns x, value (.csv or .npy of shape (n, 2)) or a named test "
        "density: uniform (on [0, 1]) or gaussian (the standard normal on 201 points of [-5, 5]). "
        "By default the values are a density on the grid x (the piecewise-linear density through "
        "them is the problem certified); with --sites they are weights of point masses at x "
        "(summing to 1, unless --normalize). The cost is the total E Σ_{i<j} ℓ(|x_i − x_j|); "
        "--pair-cost is coulomb, yukawa[:EPSILON] or exponential[:A]."
    ),
)


def sce_command(
    density: Annotated[str, typer.Argument(metavar="DENSITY", help="File or test density name.")],
    particles: Annotated[int, typer.Option("-N", "--particles", help="Number of particles N.")],
    pair_cost: Annotated[
        str, typer.Option("--pair-cost", help="coulomb, yukawa[:EPSILON], exponential[:A].")
    ] = "coulomb",
    sites: Annotated[
        bool, typer.Option("--sites", help="Values are point-mass weights, not a density.")
    ] = False,
    normalize: Annotated[
        bool, typer.Option("--normalize", help="Rescale site weights that do not sum to 1.")
    ] = False,
    as_json: AsJson = False,
    max_time: MaxTime = None,
    tol: Tol = None,
) -> None:
    from qmot.job_files import load_density_1d, pair_cost_from_name
    from qmot.manybody import sce_1d

    _check_budget(max_time, tol)
    x, values = load_density_1d(density, "DENSITY")
    cost = pair_cost_from_name(pair_cost, "--pair-cost")
    if sites and values is None:
        raise InvalidInputError(f"`--sites` needs a file of weights (got the name {density!r})")
    options: dict[str, Any] = {"continuous": not sites, **_tolerance(tol)}
    if sites:
        options["normalize"] = normalize
    result = _within_time(lambda: sce_1d(x, values, particles, cost, **options), max_time)
    extra: dict[str, Any] = {
        "particles": particles,
        "cost_per_pair": result.cost_per_pair,
        "pair_cost": pair_cost,
    }
    if result.configurations is not None:
        extra["configurations"] = result.configurations
        extra["weights"] = result.weights
    _show(f"V_ee^SCE({density}, N = {particles})", result, extra, as_json)


NBODY_HELP = _paragraphs(
    (
        "Symmetric N-marginal optimal transport on L sites: min E Σ_{i<j} C(x_i, x_j) over "
        "symmetric N-body measures with one-body marginal MU (C. Cotar, G. Friesecke, B. Pass, "
        "Infinite-body optimal transport with Coulomb cost, Calc. Var. PDE 2015, arXiv:1307.6540), "
        "as the linear program over occupation numbers, or by certified column generation beyond "
        "--max-configurations columns."
    ),
    (
        "COST is a symmetric L x L matrix (.npy, .json or .csv; inf on the diagonal forbids two "
        "particles on one site). MU is a probability vector of length L (.npy, .json or .csv)."
    ),
)


def nbody_command(
    cost: Annotated[Path, typer.Argument(metavar="COST", help="Pair cost matrix (L x L).")],
    mu: Annotated[Path, typer.Argument(metavar="MU", help="One-body marginal (length L).")],
    particles: Annotated[int, typer.Option("-N", "--particles", help="Number of particles N.")],
    method: Annotated[
        str, typer.Option("--method", help="auto, enumerate (the full LP) or colgen.")
    ] = "auto",
    normalize: Annotated[
        bool, typer.Option("--normalize", help="Rescale MU when it does not sum to 1.")
    ] = False,
    certify: Annotated[
        str,
        typer.Option(
            "--certify",
            help="Column generation: budget (prove within a budget), full or none.",
        ),
    ] = "budget",
    pricing_engine: Annotated[
        str,
        typer.Option(
            "--pricing-engine",
            help="Column generation's exact pricing: bnb, highs, scip or qcr.",
        ),
    ] = "bnb",
    as_json: AsJson = False,
    max_time: MaxTime = None,
    tol: Tol = None,
    progress: Progress = None,
) -> None:
    from qmot.job_files import load_array, load_vector
    from qmot.manybody import symmetric_ot

    _check_budget(max_time, tol)
    _check_choice(certify, "--certify", ("budget", "full", "none"))
    _check_choice(pricing_engine, "--pricing-engine", ("bnb", "highs", "scip", "qcr"))
    result = symmetric_ot(
        load_array(cost, "COST"),
        load_vector(mu, "MU"),
        particles,
        normalize=normalize,
        method=method,
        max_time=max_time,
        verbose=_progress_enabled(progress),
        certify=certify,
        pricing_engine=pricing_engine,
        **_tolerance(tol),
    )
    extra = {
        "particles": result.particles,
        "cost_per_pair": result.cost_per_pair,
        "support_size": 0 if result.weights is None else len(result.weights),
        "configurations": result.configurations,
        "weights": result.weights,
        "kantorovich_potential": result.potentials.get("y"),
    }
    _show(f"N-body OT({cost.name}, {mu.name}, N = {particles})", result, extra, as_json)


JOBS: dict[str, tuple[Callable[..., None], str]] = {
    "mk2": (mk2_command, MK2_HELP),
    "dpt": (dpt_command, DPT_HELP),
    "sce": (sce_command, SCE_HELP),
    "nbody": (nbody_command, NBODY_HELP),
}
"""Command name → (function, help text with the file formats)."""


def register_job_commands(app: typer.Typer, wrap: Callable[[Any], Any]) -> None:
    """Add the job commands to ``app``; ``wrap`` turns expected failures into one-line errors."""
    for name, (function, help_text) in JOBS.items():
        function.__doc__ = help_text
        summary = help_text.split(" (", 1)[0].split(":", 1)[0].rstrip(".") + "."
        app.command(name, help=help_text.replace("[", "\\["), short_help=summary)(wrap(function))

"""The ``qmot`` command-line tool (Typer + rich)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from qmot._version import __version__
from qmot.errors import QmotError
from qmot.results import TransportResult

app = typer.Typer(
    name="qmot",
    help="Quantum and many-body optimal transport with certified results.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
error_console = Console(stderr=True)


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"qmot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Quantum and many-body optimal transport with certified results."""


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


def _fail(exc: QmotError) -> None:
    error_console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code=2) from exc


@app.command("w2")
def w2_command(
    first: Annotated[Path, typer.Argument(help="First weighted point set (.json or .csv).")],
    second: Annotated[Path, typer.Argument(help="Second weighted point set (.json or .csv).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    normalize: Annotated[
        bool, typer.Option("--normalize", help="Rescale weights that do not sum to 1.")
    ] = False,
) -> None:
    """Exact squared 2-Wasserstein distance W₂² between two weighted point sets."""
    from qmot.classical import w2
    from qmot.io import load_weighted_points

    try:
        x, a = load_weighted_points(first)
        y, b = load_weighted_points(second)
        result = w2(x, a, y, b, normalize=normalize)
    except QmotError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        console.print(result_table(f"W₂²({first.name}, {second.name})", result))


def main() -> None:
    """Entry point of the ``qmot`` console script."""
    app()

"""Reproduce Caglioti–Golse–Paul 2020: every claim with qmot's certified value.
============================================================================

Prints a table of the claims and their verdicts and saves the figures as PNG files into
``qmot-results/cgp2020/`` (or the folder given as the first argument).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qmot.experiments import cgp2020


def main(out: Path) -> int:
    console = Console()
    with console.status("Reproducing Caglioti–Golse–Paul 2020 (quick grid)…"):
        report = cgp2020.run(quick=True)
    table = Table(title=report.title)
    for column in ("claim", "reference", "paper", "qmot", "verdict"):
        table.add_column(column, overflow="fold")
    for claim in report.claims:
        verdict = "[green]pass[/green]" if claim.passed else "[red]FAIL[/red]"
        table.add_row(
            claim.statement, claim.reference, claim.paper_value, str(claim.qmot_value), verdict
        )
    console.print(table)
    out.mkdir(parents=True, exist_ok=True)
    for name, figure in report.figures.items():
        figure.savefig(out / f"{name}.png", dpi=120)
    console.print(f"figures written to {out}/ ({', '.join(sorted(report.figures))})")
    return 0 if report.all_passed else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("qmot-results/cgp2020")))

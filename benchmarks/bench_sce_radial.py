"""V_ee^SCE of spherical densities: qmot's sce_radial against the plain SciPy route a user would
write (nested scipy.integrate.quad for N_e, brentq for the co-motion function, quad outside),
side by side, plus the N > 2 brackets and the shell LP.

Instances: He RHF/aug-cc-pVQZ (PySCF, when installed) and hydrogen 1s² (N = 2, reference by
mpmath at 30 digits); Bohr atoms N = 4 and 10 (SGS upper bound and certified lower bound); the
pair-relaxation shell LP for N = 3.

Run: ``python benchmarks/bench_sce_radial.py [--quick]``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_time, report

from qmot.manybody import sce_radial
from qmot.manybody._radial_many import shell_lower_bound
from qmot.manybody.densities import bohr_atom
from qmot.manybody.radial import _model
from qmot.manybody.radial_shells import three_electron_shells

HYDROGEN_PAIR = 0.339180475848166669445  # mpmath, 30 digits (tests/manybody/test_radial.py)


def scipy_route(rho: Any, r_max: float) -> float:
    """The N = 2 formula typed straight into SciPy (no error bound)."""

    def radial(r: float) -> float:
        return 4 * math.pi * r * r * float(rho(np.array([r]))[0])

    def inside(r: float) -> float:
        return quad(radial, 0.0, r, limit=200, epsabs=1e-15, epsrel=1e-13)[0]

    def outside(r: float) -> float:
        return quad(radial, r, r_max, limit=200, epsabs=1e-15, epsrel=1e-13)[0]

    median = brentq(lambda r: inside(r) - 1.0, 1e-8, r_max, xtol=1e-15)

    def partner(r: float) -> float:
        target = inside(r)
        return brentq(lambda s: outside(s) - target, median, r_max, xtol=1e-14)

    value, _ = quad(
        lambda r: radial(r) / (r + partner(r)), 0.0, median, limit=200, epsabs=1e-14, epsrel=1e-12
    )
    return value


def _pyscf_helium() -> tuple[Any, float] | None:
    try:
        from pyscf import gto, scf
    except ImportError:
        return None
    from qmot.manybody.chemistry import spherical_average_density

    mol = gto.M(atom="He 0 0 0", basis="aug-cc-pvqz", verbose=0)
    mf = scf.RHF(mol).run(conv_tol=1e-12)
    rho = spherical_average_density(mol, mf.make_rdm1())
    return rho, rho.suggested_r_max()


def two_electron_rows(quick: bool) -> list[dict[str, Any]]:
    cases: list[tuple[str, Any, float, float | None]] = [
        ("H 1s² (analytic)", bohr_atom(2), 40.0, HYDROGEN_PAIR)
    ]
    helium = _pyscf_helium()
    if helium is not None:
        cases.append(("He RHF/aug-cc-pVQZ", helium[0], helium[1], None))
    rows = []
    for name, rho, r_max, reference in cases:
        ours, result = best_time(lambda rho=rho, r_max=r_max: sce_radial(rho, 2, r_max=r_max), 3)
        theirs, value = best_time(scipy_route, 1, rho, r_max)
        rows.append(
            {
                "case": name,
                "N": 2,
                "qmot s": ours,
                "scipy quad s": theirs,
                "speed-up": theirs / ours,
                "qmot value": result.cost,
                "qmot bracket width": result.gap,
                "|qmot − scipy|": abs(result.cost - value),
                "|qmot − mpmath|": None if reference is None else abs(result.cost - reference),
                "status": str(result.status),
            }
        )
    return rows


def many_electron_rows(quick: bool) -> list[dict[str, Any]]:
    rows = []
    for electrons in (4,) if quick else (4, 10):
        seconds, result = best_time(
            lambda electrons=electrons: sce_radial(bohr_atom(electrons), electrons, r_max=80.0), 1
        )
        rows.append(
            {
                "case": f"Bohr atom N={electrons}",
                "N": electrons,
                "qmot s": seconds,
                "qmot value": result.cost,
                "qmot bracket width": result.gap,
                "lower bound": result.lower_bound,
                "status": str(result.status),
            }
        )
    model, _ = _model(bohr_atom(3), None, 60.0)
    shells = 60 if quick else 200
    seconds, (lower, info) = best_time(lambda: shell_lower_bound(model, 3, shells), 1)
    rows.append(
        {
            "case": f"shell LP N=3, {info['shells']} shells",
            "N": 3,
            "qmot s": seconds,
            "lower bound": lower,
            "status": info["shell_lp_status"],
        }
    )
    for shells in (40,) if quick else (40, 80):
        seconds, comparison = best_time(
            lambda shells=shells: three_electron_shells(bohr_atom(3), r_max=60.0, shells=shells), 1
        )
        rows.append(
            {
                "case": f"3-body shell LP, L={shells} ({comparison.info['columns']} cols)",
                "N": 3,
                "qmot s": seconds,
                "qmot value": comparison.lp_value,
                "lower bound": None,
                "status": f"SGS on shells − LP = {comparison.ansatz_excess:.2e}",
            }
        )
    return rows


def main() -> None:
    quick = "--quick" in sys.argv
    columns = [
        "case",
        "N",
        "qmot s",
        "scipy quad s",
        "speed-up",
        "qmot value",
        "qmot bracket width",
        "|qmot − scipy|",
        "|qmot − mpmath|",
        "lower bound",
        "status",
    ]
    rows = two_electron_rows(quick) + many_electron_rows(quick)
    report("sce_radial", "V_ee^SCE of spherical densities: qmot vs SciPy quad", columns, rows)


if __name__ == "__main__":
    main()

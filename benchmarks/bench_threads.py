"""Solve times on an idle machine and with one core busy, with and without qmot's thread policy.

Each case is solved in a fresh process (so that every run starts with the BLAS pools as the
interpreter sets them up) in up to three legs:

* ``policy``: qmot's BLAS thread policy (:mod:`qmot._threads`: threads from the matrix size, the
  available and the busy cores);
* ``off``: the policy disabled — every BLAS pool at its default (as many threads as cores), the
  situation before the policy;
* ``1 thread``: ``qmot.set_threads(1)``, the yardstick of the issue (``OPENBLAS_NUM_THREADS=1``);
  ``2 threads`` (not run by default): ``qmot.set_threads(2)``, SciPy's pool at 2 threads and
  NumPy's at 1 (the whole-solve side of the crossover).

and each leg twice: on the machine as it is ("idle"), and with a burner of the benchmark's own —
a process spinning on the last core of the affinity mask. The table gives both times, their
ratio (busy ÷ idle), and the ratio of each leg to the policy. The machine's 1-minute load average
is printed with each run (the idle leg is only as idle as the machine). A run that exceeds
``--timeout`` seconds is stopped and reported as ">T".

Cases: Golse–Paul MK_ħ² between random coherent mixtures (d = 1, M = N = 8 and 24, points from
N(0, 1.5²), Dirichlet weights, ħ = 0.5, as in ``bench_first_order.py``) with ``QMOT-IPM`` and
with ``QMOT-ENTROPIC``; W²_{2,DPT} between random full-rank qudits of dimension 8 and 16 with the
spin operators of spin (d−1)/2 and ``QMOT-ENTROPIC``; all at ``tol=1e-4``.

Measured on 2 cores shared with other work (1-minute load average 7.5–12.5 during these runs, so the
"idle" legs are not idle), best of 2 runs (1 for DPT d = 16 and Golse–Paul M = N = 24),
seconds, ``policy`` / ``off``:

=======================  =============  =============  ================  ===============
case                     policy, idle   policy, busy   off, idle         off, busy
=======================  =============  =============  ================  ===============
GP M=N=8 QMOT-IPM        0.36           0.81           0.85              4.3
GP M=N=8 QMOT-ENTROPIC   2.2            7.1            103               > 120 (stopped)
DPT d=8                  2.9            7.9            33                > 120 (stopped)
DPT d=16                 35             86             > 240 (stopped)   > 240 (stopped)
GP M=N=24 QMOT-IPM       74             120            > 240 (stopped)   not run
=======================  =============  =============  ================  ===============

Every run that ended reached status ``optimal``, with and without the policy, except QMOT-IPM
at M = N = 24 (``gap_exceeds_tolerance`` with the policy, where ``AUTO`` would go on with
QMOT-ENTROPIC; its ``off`` leg was stopped before it ended). Golse–Paul M = N = 24 with
QMOT-ENTROPIC took 161 s with the policy on the machine as it was, and over 200 s in the three
other legs (stopped). The issue's yardstick, DPT d = 16 against ``1 thread`` (one run each, load
average 4.5–5.9 and falling): policy 25.1 s idle, 43.3 s busy; 1 thread 18.0 s idle, 36.1 s
busy — the policy gives this size one thread, so the differences (1.2–1.4×) are the machine's.

Run: ``python benchmarks/bench_threads.py [--quick] [--legs policy,off] [--cases ...]``;
``--crossover`` instead times ``eigh``, matrix products and Cholesky factorisations with 1 and
2 threads (the measurement behind ``qmot._threads.THREADED_DIMENSION``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import report

HBAR = 0.5
SPREAD = 1.5
TOL = 1e-4
CASES = (
    "GP M=N=8 IPM",
    "GP M=N=8 entropic",
    "DPT d=8",
    "DPT d=16",
    "GP M=N=24 IPM",
    "GP M=N=24 entropic",
)
QUICK_CASES = ("GP M=N=8 IPM", "GP M=N=8 entropic", "DPT d=8", "DPT d=16")
LEGS = ("policy", "off", "1 thread")


def _golse_paul(size: int, solver: str) -> Callable[[], Any]:
    from qmot.quantum import CoherentMixture, mk2

    rng = np.random.default_rng(1000 + size)
    first, second = (
        CoherentMixture(
            SPREAD * rng.normal(size=(size, 2)), rng.dirichlet(np.ones(size)), hbar=HBAR
        )
        for _ in range(2)
    )
    return lambda: mk2(first, second, solver=solver, tol=TOL)


def _dpt(dim: int) -> Callable[[], Any]:
    from qmot.linalg import random_density_matrix
    from qmot.quantum import dpt_divergence, spin

    rng = np.random.default_rng(dim)
    rho, sigma = random_density_matrix(dim, seed=rng), random_density_matrix(dim, seed=rng)
    ops = spin((dim - 1) / 2)
    return lambda: dpt_divergence(rho, sigma, ops, solver="QMOT-ENTROPIC", tol=TOL)


def build(case: str) -> Callable[[], Any]:
    """The solve of ``case`` (a name of :data:`CASES`) as a function of no arguments."""
    kind, _, rest = case.partition(" ")
    if kind == "DPT":
        return _dpt(int(rest.removeprefix("d=")))
    size, solver = rest.split()
    return _golse_paul(
        int(size.removeprefix("M=N=")), "QMOT-IPM" if solver == "IPM" else "QMOT-ENTROPIC"
    )


def child(case: str, leg: str) -> None:
    """Solve ``case`` once under ``leg`` and print one JSON line with the time and the result."""
    import qmot
    from qmot import _threads

    solve = build(case)
    if leg.endswith((" thread", " threads")):
        qmot.set_threads(int(leg.split()[0]))
    context = _threads._policy_disabled() if leg == "off" else _threads.contextlib.nullcontext()
    with context:
        start = time.perf_counter()
        result = solve()
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "status": str(result.status), "gap": result.gap}))


class Burner:
    """A process of this benchmark spinning on one core (the last one of the affinity mask)."""

    CODE = (
        "import os, sys\n"
        "os.sched_setaffinity(0, {int(sys.argv[1])})\n"
        "parent = os.getppid()\n"
        "while os.getppid() == parent:  # ends with the benchmark\n"
        "    for _ in range(10**6):\n"
        "        pass\n"
    )

    def __enter__(self) -> Burner:
        core = max(os.sched_getaffinity(0))
        self.process = subprocess.Popen([sys.executable, "-c", self.CODE, str(core)])
        time.sleep(0.5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.kill()
        self.process.wait()


def run(case: str, leg: str, busy: bool, timeout: float) -> dict[str, Any]:
    """Time one solve in a fresh interpreter (with the burner running if ``busy``)."""
    command = [sys.executable, __file__, "--child", case, "--leg", leg]
    load = os.getloadavg()[0]
    burner = Burner() if busy else None
    try:
        if burner is not None:
            burner.__enter__()
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        outcome = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {}
        if not outcome:
            outcome = {"seconds": None, "status": f"crashed: {done.stderr.strip()[-200:]}"}
    except subprocess.TimeoutExpired:
        outcome = {"seconds": None, "status": f">{timeout:g} s"}
    finally:
        if burner is not None:
            burner.__exit__()
    return {**outcome, "load": load}


def _ratio(numerator: float | None, denominator: float | None, timeout: float) -> float | str:
    """``numerator / denominator``; a run stopped at ``timeout`` (``None``) gives a bound."""
    if numerator is None and denominator is None:
        return "—"
    if numerator is None:
        return f">{timeout / denominator:.3g}"
    if denominator is None:
        return f"<{numerator / timeout:.3g}"
    return numerator / denominator


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    timed = [entry for entry in runs if entry["seconds"] is not None]
    return min(timed, key=lambda entry: entry["seconds"]) if timed else runs[0]


def compare(cases: tuple[str, ...], legs: tuple[str, ...], repeats: int, timeout: float) -> None:
    rows = []
    for case in cases:
        times: dict[str, dict[str, Any]] = {}
        for leg in legs:
            for busy in (False, True):
                runs = [run(case, leg, busy, timeout) for _ in range(repeats)]
                best = _best(runs)
                times[f"{leg} {'busy' if busy else 'idle'}"] = best
                loads = ", ".join(f"{entry['load']:.2f}" for entry in runs)
                seconds = [entry["seconds"] for entry in runs]
                print(
                    f"{case:20} {leg:9} {'busy' if busy else 'idle'}: {seconds} "
                    f"status {best['status']} loads [{loads}]",
                    flush=True,
                )
        row: dict[str, Any] = {"case": case}
        for leg in legs:
            idle, busy = times[f"{leg} idle"]["seconds"], times[f"{leg} busy"]["seconds"]
            row[f"{leg} idle s"] = idle if idle is not None else times[f"{leg} idle"]["status"]
            row[f"{leg} busy s"] = busy if busy is not None else times[f"{leg} busy"]["status"]
            row[f"{leg} busy/idle"] = _ratio(busy, idle, timeout)
        for leg in legs[1:]:
            for state in ("idle", "busy"):
                row[f"{leg}/policy {state}"] = (
                    _ratio(
                        times[f"{leg} {state}"]["seconds"],
                        times[f"policy {state}"]["seconds"],
                        timeout,
                    )
                    if "policy" in legs
                    else "—"
                )
        rows.append(row)
    path = report(
        "threads",
        "Solve times idle and with one core busy: qmot's thread policy vs none",
        list(rows[0]),
        rows,
    )
    print(f"wrote {path.name}")


def crossover() -> None:
    """Best times of SciPy ``eigh`` (complex Hermitian), NumPy complex products and SciPy Cholesky
    (real SPD) with 1 and 2 threads in the pool that does the work."""
    import scipy.linalg

    from qmot._threads import _pools

    scipy_pools, others = _pools()
    rng = np.random.default_rng(0)
    rows = []
    for n in (64, 128, 256, 384, 512, 640, 768, 1024):
        a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
        hermitian = (a + a.conj().T) / 2
        real = rng.normal(size=(n, n))
        spd = real @ real.T + n * np.eye(n)
        repeats = max(3, int(2e7 / n**3))
        row: dict[str, Any] = {"n": n, "load": os.getloadavg()[0]}
        routines = {
            "eigh": (
                scipy_pools,
                functools.partial(scipy.linalg.eigh, hermitian, check_finite=False),
            ),
            "matmul": (others or scipy_pools, functools.partial(np.matmul, a, a)),
            "cholesky": (
                scipy_pools,
                functools.partial(scipy.linalg.cho_factor, spd, check_finite=False),
            ),
        }
        for name, (pools, routine) in routines.items():
            best = {}
            for threads in (1, 2):
                for pool in scipy_pools + others:
                    pool.set_num_threads(threads if pool in pools else 1)
                best[threads] = min(_timed(routine) for _ in range(repeats))
            row[f"{name} 1 thr s"], row[f"{name} 2 thr s"] = best[1], best[2]
            row[f"{name} 1/2"] = best[1] / best[2]
        rows.append(row)
    path = report("threads_crossover", "1 vs 2 BLAS threads by matrix size", list(rows[0]), rows)
    print(f"wrote {path.name}")


def _timed(routine: Callable[[], Any]) -> float:
    start = time.perf_counter()
    routine()
    return time.perf_counter() - start


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))  # stop the burner too
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small cases and DPT d = 16 only")
    parser.add_argument("--cases", default=None, help="comma-separated names of CASES")
    parser.add_argument(
        "--legs", default=",".join(LEGS), help="comma-separated: policy,off,1 thread"
    )
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--crossover", action="store_true")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--leg", default="policy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.leg)
    elif args.crossover:
        crossover()
    else:
        cases = tuple(args.cases.split(",")) if args.cases else QUICK_CASES if args.quick else CASES
        compare(cases, tuple(args.legs.split(",")), args.repeats, args.timeout)


if __name__ == "__main__":
    main()

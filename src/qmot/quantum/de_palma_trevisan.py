r"""The De Palma–Trevisan quantum Wasserstein divergence (Wirth 2025).

For density operators :math:`\rho` on :math:`H`, :math:`\sigma` on :math:`K`, self-adjoint
:math:`x = (x_1..x_m)` on :math:`H`, :math:`y = (y_1..y_m)` on :math:`K` and a channel with
:math:`\Phi_*(\sigma) = \rho`, the cost of Def. 2.10 is

.. math::

    C_{\rho,\sigma,x,y}(\Phi) = \sum_k \|x_k\|_\rho^2 + \|y_k\|_\sigma^2
        - 2\langle \Phi(x_k), y_k\rangle_\sigma,
    \qquad \langle a, b\rangle_\sigma = \operatorname{tr}(a^*\sigma^{1/2} b\sigma^{1/2}),

and :math:`W_{2,DPT}(\rho,\sigma)^2 = \inf_\Phi C_{\rho,\sigma,x,x}(\Phi)` (Def. 2.12).

Reduction used here. With :math:`\Pi = (\Phi_*\otimes\mathrm{id})(|\sqrt\sigma\rangle\!\rangle
\langle\!\langle\sqrt\sigma|)` — a coupling of :math:`(\rho, \sigma^\top)` on :math:`H\otimes K`,
and every such coupling arises from an admissible channel — the cross term is
:math:`\operatorname{tr}[(x_k\otimes y_k^\top)\Pi]`, so

.. math::

    W_{2,DPT}(\rho,\sigma)^2 = \min_{\Pi}\ \operatorname{tr}(C_{DPT}\,\Pi),\qquad
    C_{DPT} = \sum_k \big(\|x_k\|_\rho^2 + \|y_k\|_\sigma^2\big)\,1 - 2\,x_k\otimes y_k^\top,

a coupling SDP solved and certified by :mod:`qmot.sdp` (support reduction on both sides, closed
form when a state is pure, dual and primal certificates). The optimal channel is recovered as
:math:`J = (1\otimes\sigma^{-\top/2})\Pi(1\otimes\sigma^{-\top/2}) + \rho\otimes(1-P_\sigma)^\top`.

References
----------
* M. Wirth, *Triangle inequality for a quantum Wasserstein divergence* (preprint, 2025);
  see also D. Bunth, J. Pitrik, T. Titkos, D. Virosztek, *On the metric property of quantum
  Wasserstein divergences*, arXiv:2402.13150.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import IntegrationWarning, quad

from qmot._validation import as_density_matrix, as_hermitian
from qmot.errors import InvalidInputError
from qmot.linalg import DEFAULT_SUPPORT_RTOL, hermitian_part
from qmot.quantum.channels import (
    _apply_channel,
    _kms_norm,
    apply_dual,
    as_kraus,
    channel_from_coupling,
    compose,
    kms_inner,
)
from qmot.quantum.coupling import CouplingSettings, coupling_settings, solve_coupling
from qmot.results import TransportResult

__all__ = [
    "ADMISSIBILITY_TOL",
    "TriangleCheck",
    "TriangleSearch",
    "adversarial_triangle_search",
    "dpt_cost",
    "dpt_cost_operator",
    "dpt_divergence",
    "dpt_original_squared",
    "integral_representation",
    "subadditivity",
    "triangle_check",
]

ADMISSIBILITY_TOL = 1e-8
"""Tolerance on :math:`\\|\\Phi_*(\\sigma) - \\rho\\|_{\\max}` for a channel to be admissible."""


def _as_operators(ops: Sequence[ArrayLike], name: str, dim: int) -> tuple[np.ndarray, ...]:
    if (isinstance(ops, np.ndarray) and ops.ndim == 2) or callable(getattr(ops, "full", None)):
        ops = [ops]  # one operator (an array or a QuTiP Qobj), not a sequence of them
    operators = tuple(as_hermitian(op, f"{name}[{k}]") for k, op in enumerate(ops))
    if not operators:
        raise InvalidInputError(f"`{name}` must contain at least one operator (got none)")
    for k, op in enumerate(operators):
        if op.shape != (dim, dim):
            raise InvalidInputError(
                f"`{name}[{k}]` must have shape ({dim}, {dim}) to act on its state (got {op.shape})"
            )
    return operators


def _validate(
    rho: ArrayLike, sigma: ArrayLike, x: Sequence[ArrayLike], y: Sequence[ArrayLike] | None
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    first = as_density_matrix(rho, "rho")
    second = as_density_matrix(sigma, "sigma")
    x_ops = _as_operators(x, "ops", first.shape[0])
    if y is None:
        if first.shape != second.shape:
            raise InvalidInputError(
                f"`sigma` must have the shape of `rho` {first.shape} when `ops_sigma` is not "
                f"given (got {second.shape})"
            )
        return first, second, x_ops, x_ops
    y_ops = _as_operators(y, "ops_sigma", second.shape[0])
    if len(y_ops) != len(x_ops):
        raise InvalidInputError(
            f"`ops_sigma` must have as many operators as `ops` ({len(x_ops)}) (got {len(y_ops)})"
        )
    return first, second, x_ops, y_ops


def _check_admissible(kraus: tuple[np.ndarray, ...], rho: np.ndarray, sigma: np.ndarray) -> None:
    if kraus[0].shape != (rho.shape[0], sigma.shape[0]):
        raise InvalidInputError(
            f"`channel` Kraus operators must map K to H, shape {(rho.shape[0], sigma.shape[0])} "
            f"(got {kraus[0].shape})"
        )
    defect = float(np.abs(_apply_channel(kraus, sigma) - rho).max())
    if defect > ADMISSIBILITY_TOL:
        raise InvalidInputError(
            f"`channel` must map sigma to rho, Φ_*(σ) = ρ (got max deviation {defect:.3g})"
        )


def dpt_cost(
    rho: ArrayLike,
    sigma: ArrayLike,
    x: Sequence[ArrayLike],
    y: Sequence[ArrayLike],
    channel: Sequence[ArrayLike],
) -> float:
    r"""Cost :math:`C_{\rho,\sigma,x,y}(\Phi)` of Wirth 2025, Def. 2.10, for a given channel.

    Parameters
    ----------
    rho, sigma
        Density matrices on ``H`` and ``K``.
    x, y
        Sequences of self-adjoint operators on ``H`` and ``K`` (same length).
    channel
        Kraus operators :math:`v_j : K\to H` of :math:`\Phi_*` with :math:`\Phi_*(\sigma) = \rho`.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.diag([1.0, -1.0])
    >>> rho = np.diag([0.7, 0.3])
    >>> round(dpt_cost(rho, rho, [z], [z], [np.eye(2)]), 12)  # identity channel costs nothing
    0.0
    """
    first, second, x_ops, y_ops = _validate(rho, sigma, x, y)
    kraus = as_kraus(channel, "channel")
    _check_admissible(kraus, first, second)
    return sum(
        _kms_norm(a, first) ** 2
        + _kms_norm(b, second) ** 2
        - 2 * kms_inner(apply_dual(kraus, a), b, second).real
        for a, b in zip(x_ops, y_ops, strict=True)
    )


def dpt_cost_operator(
    rho: np.ndarray, sigma: np.ndarray, x: Sequence[np.ndarray], y: Sequence[np.ndarray]
) -> np.ndarray:
    r""":math:`C_{DPT} = \sum_k (\|x_k\|_\rho^2 + \|y_k\|_\sigma^2) 1 - 2 x_k\otimes y_k^\top`
    on :math:`H\otimes K`, to be paired with couplings of :math:`(\rho, \sigma^\top)`."""
    dim = rho.shape[0] * sigma.shape[0]
    cost = np.zeros((dim, dim), dtype=complex)
    for a, b in zip(x, y, strict=True):
        cost += (_kms_norm(a, rho) ** 2 + _kms_norm(b, sigma) ** 2) * np.eye(dim)
        cost -= 2 * np.kron(a, b.T)
    return hermitian_part(cost)


def dpt_divergence(
    rho: ArrayLike,
    sigma: ArrayLike,
    ops: Sequence[ArrayLike],
    ops_sigma: Sequence[ArrayLike] | None = None,
    *,
    solver: str | None = None,
    tol: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    support_rtol: float = DEFAULT_SUPPORT_RTOL,
    solver_options: Mapping[str, Any] | None = None,
    max_time: float | None = None,
    verbose: bool = False,
) -> TransportResult:
    r"""Squared De Palma–Trevisan divergence :math:`W_{2,DPT}(\rho,\sigma)^2` (Wirth 2025, Def.
    2.12).

    ``cost`` is :math:`\inf_\Phi C_{\rho,\sigma,x,y}(\Phi)` over channels with
    :math:`\Phi_*(\sigma) = \rho` (``y = x`` unless ``ops_sigma`` is given); ``distance`` is
    :math:`W_{2,DPT}`. The optimum is found as a coupling of :math:`(\rho,\sigma^\top)` (module
    docstring) and certified by :mod:`qmot.sdp`.

    Parameters
    ----------
    rho, sigma
        Density matrices on ``H`` and ``K``.
    ops, ops_sigma
        Self-adjoint operators :math:`x_k` on ``H`` and :math:`y_k` on ``K`` (default ``y = x``).
    solver, tol, atol, rtol, support_rtol, solver_options, max_time, verbose
        As in :func:`qmot.quantum.coupling.coupling_sdp` (the coupling SDP of
        :math:`(\rho, \sigma^\top)` has dimension ``rank(rho) * rank(sigma)``; ``AUTO`` gives
        it to QMOT-ENTROPIC above 400).

    Returns
    -------
    TransportResult
        ``channel``: Kraus operators of an optimal channel; ``coupling``: the optimal
        :math:`\Pi`; ``potentials``: ``A`` on ``H``, ``B`` on ``K`` (transposed frame).

    Examples
    --------
    >>> import numpy as np
    >>> pauli = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    >>> up, down = np.diag([1.0, 0.0]), np.diag([0.0, 1.0])
    >>> round(dpt_divergence(up, down, pauli).cost, 10)  # both pure: Σ (⟨x⟩_ρ − ⟨x⟩_σ)²
    4.0
    """
    first, second, x_ops, y_ops = _validate(rho, sigma, ops, ops_sigma)
    settings = coupling_settings(
        solver,
        tol=tol,
        atol=atol,
        rtol=rtol,
        support_rtol=support_rtol,
        solver_options=solver_options,
        max_time=max_time,
        verbose=verbose,
    )
    cost = dpt_cost_operator(first, second, x_ops, y_ops)
    result = _coupling_with_transpose(cost, first, second, settings)
    channel = channel_from_coupling(result.coupling, first, second)
    residuals = {
        **result.residuals,
        "channel_trace_preservation": float(
            np.abs(sum(v.conj().T @ v for v in channel) - np.eye(second.shape[0])).max()
        ),
        "channel_admissibility": float(np.abs(_apply_channel(channel, second) - first).max()),
    }
    return replace(
        result,
        channel=channel,
        residuals=residuals,
        info={**result.info, "coupling_of": "(rho, sigma^T) on H ⊗ K"},
    )


def dpt_original_squared(
    rho: ArrayLike,
    sigma: ArrayLike,
    ops: Sequence[ArrayLike],
    *,
    solver: str | None = None,
    tol: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    support_rtol: float = DEFAULT_SUPPORT_RTOL,
    solver_options: Mapping[str, Any] | None = None,
    max_time: float | None = None,
    verbose: bool = False,
) -> TransportResult:
    r"""The original De Palma–Trevisan quantity :math:`D(\rho,\sigma)^2` (Wirth 2025, Introduction).

    :math:`D^2 = \min_\Pi \sum_k \operatorname{tr}[(x_k\otimes 1 - 1\otimes x_k^\top)^2\Pi]` over
    couplings of :math:`(\rho,\sigma^\top)` (GNS squares, KMS cross term); it satisfies
    :math:`W_{2,DPT}^2 = D(\rho,\sigma)^2 - \tfrac12 D(\rho,\rho)^2 - \tfrac12 D(\sigma,\sigma)^2`.
    ``solver``, ``tol``, ``atol``, ``rtol``, ``support_rtol``, ``solver_options``, ``max_time``
    and ``verbose`` are as in :func:`dpt_divergence`.

    Examples
    --------
    >>> import numpy as np
    >>> pauli = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])]
    >>> up = np.diag([1.0, 0.0])
    >>> round(dpt_original_squared(up, up, pauli, solver="QMOT-IPM").cost, 8)  # Σ 2 Var_ρ(x_k)
    4.0
    """
    first, second, x_ops, _ = _validate(rho, sigma, ops, None)
    settings = coupling_settings(
        solver,
        tol=tol,
        atol=atol,
        rtol=rtol,
        support_rtol=support_rtol,
        solver_options=solver_options,
        max_time=max_time,
        verbose=verbose,
    )
    dim = first.shape[0]
    cost = np.zeros((dim * dim, dim * dim), dtype=complex)
    for op in x_ops:
        difference = np.kron(op, np.eye(dim)) - np.kron(np.eye(dim), op.T)
        cost += difference @ difference
    return _coupling_with_transpose(hermitian_part(cost), first, second, settings)


def _coupling_with_transpose(
    cost: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    settings: CouplingSettings,
) -> TransportResult:
    r"""Solve and certify the coupling SDP of :math:`(\rho, \sigma^\top)` (inputs and the
    settings already validated by the entry point)."""
    return solve_coupling(cost, first, hermitian_part(second.T), settings)


def _complex_power(eigenvalues: np.ndarray, vectors: np.ndarray, power: complex) -> np.ndarray:
    """Spectral power on the support only (Wirth 2025, §2: ρ^z := Σ_{λ>0} λ^z |e⟩⟨e|)."""
    keep = eigenvalues > DEFAULT_SUPPORT_RTOL * max(float(eigenvalues[-1]), 0.0)
    powered = np.zeros(eigenvalues.shape, dtype=complex)
    powered[keep] = eigenvalues[keep].astype(complex) ** power
    return (vectors * powered) @ vectors.conj().T


def _kms_density(t: float) -> float:
    r""":math:`2/\cosh(2\pi t)`, written to avoid overflow for large |t|; a probability
    density on :math:`\mathbb R` whose mass beyond :math:`|t| > T` is at most
    :math:`(4/\pi)e^{-2\pi T}` (from :math:`2/\cosh s \le 4e^{-s}`)."""
    decay = np.exp(-2 * np.pi * abs(t))
    return float(4 * decay / (1 + decay * decay))


def integral_representation(
    rho: ArrayLike,
    sigma: ArrayLike,
    x: Sequence[ArrayLike],
    y: Sequence[ArrayLike],
    channel: Sequence[ArrayLike],
    *,
    epsabs: float = 1e-11,
) -> tuple[float, float]:
    r"""The cost by the integral representation of Wirth, *Triangle inequality for a quantum
    Wasserstein divergence*, Thm. 2.7 / Remark 2.8.

    .. math::

        C = \sum_{k,j}\int_{\mathbb R}\big\|v_j\sigma^{1/4+it}y_k\sigma^{1/4-it}
            - \rho^{1/4+it}x_k\rho^{-1/4-it}v_j\sigma^{1/2}\big\|_2^2\,
            \frac{2\,dt}{\cosh 2\pi t},

    with powers taken on the supports (the pseudo-inverse :math:`\rho^{-1/4-it}` is how
    :math:`\ker\rho` is handled, Lemma 2.3). This is a numerical evaluation of the integral,
    meant as an independent check of the closed form :func:`dpt_cost` (Def. 2.10), not a
    certified value.

    How it is evaluated. The integrand without the weight is at most
    :math:`F = \sum_{k,j}\big(\|v_j\|\,\|y_k\| + \|\rho^{1/4}\|\,\|x_k\|\,
    \|\rho^{-1/4}v_j\sigma^{1/2}\|_2\big)^2` for every :math:`t` (operator norms; Hölder with
    :math:`\|\sigma^{1/4}\|_4^2 = (\operatorname{tr}\sigma)^{1/2} \le 1`, and
    :math:`\sigma^{it}, \rho^{it}` are partial isometries), so the part of the integral beyond
    :math:`|t| > T` lies in :math:`[0, F\,(4/\pi)e^{-2\pi T}]`; :math:`T` is chosen to make
    that at most ``epsabs / 64``. The integral over :math:`[-T, T]` is computed by adaptive
    Gauss–Kronrod quadrature (``scipy.integrate.quad``).

    Parameters
    ----------
    rho, sigma, x, y, channel
        As in :func:`dpt_cost` (``channel``: Kraus operators with :math:`\Phi_*(\sigma) = \rho`).
    epsabs
        Absolute accuracy requested from the quadrature (positive).

    Returns
    -------
    value, error_estimate
        ``value`` is the quadrature over :math:`[-T, T]`. ``error_estimate`` is quad's own
        error estimate on :math:`[-T, T]` (an *estimate*, not a bound: adaptive quadrature
        cannot bound the error of a function it only samples) plus the rigorous bound on the
        omitted tails. If quad reports that it did not reach the requested accuracy (an
        ``IntegrationWarning``, which is caught and not re-emitted), ``error_estimate`` is
        ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> z, rho = np.diag([1.0, -1.0]), np.diag([0.7, 0.3])
    >>> value, error = integral_representation(rho, rho, [z], [z], [np.eye(2)])
    >>> abs(value) < 1e-10, error < 1e-10  # the identity channel costs nothing (Def. 2.10)
    (True, True)
    """
    if not (isinstance(epsabs, int | float) and np.isfinite(epsabs) and epsabs > 0):
        raise InvalidInputError(f"`epsabs` must be a positive finite number (got {epsabs!r})")
    first, second, x_ops, y_ops = _validate(rho, sigma, x, y)
    kraus = as_kraus(channel, "channel")
    _check_admissible(kraus, first, second)
    rho_values, rho_vectors = np.linalg.eigh(first)
    sigma_values, sigma_vectors = np.linalg.eigh(second)
    sigma_root = _complex_power(sigma_values, sigma_vectors, 0.5)

    def integrand(t: float) -> float:
        s_plus = _complex_power(sigma_values, sigma_vectors, 0.25 + 1j * t)
        s_minus = _complex_power(sigma_values, sigma_vectors, 0.25 - 1j * t)
        r_plus = _complex_power(rho_values, rho_vectors, 0.25 + 1j * t)
        r_minus = _complex_power(rho_values, rho_vectors, -0.25 - 1j * t)
        total = 0.0
        for a, b in zip(x_ops, y_ops, strict=True):
            left = s_plus @ b @ s_minus
            right = r_plus @ a @ r_minus
            for v in kraus:
                total += float(np.linalg.norm(v @ left - right @ v @ sigma_root) ** 2)
        return total * _kms_density(t)

    rho_quarter = float(np.linalg.norm(_complex_power(rho_values, rho_vectors, 0.25), 2))
    rho_inverse_quarter = _complex_power(rho_values, rho_vectors, -0.25)
    ceiling = sum(
        (
            float(np.linalg.norm(v, 2)) * float(np.linalg.norm(b, 2))
            + rho_quarter
            * float(np.linalg.norm(a, 2))
            * float(np.linalg.norm(rho_inverse_quarter @ v @ sigma_root))
        )
        ** 2
        for a, b in zip(x_ops, y_ops, strict=True)
        for v in kraus
    )
    # F (4/π) e^{-2πT} <= epsabs / 64 (and at least T = 1)
    cutoff = max(1.0, float(np.log(256 * max(ceiling, 1e-300) / (np.pi * epsabs))) / (2 * np.pi))
    tail = ceiling * 4 / np.pi * float(np.exp(-2 * np.pi * cutoff))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IntegrationWarning)
        value, error = quad(
            integrand, -cutoff, cutoff, points=[0.0], epsabs=epsabs / 2, epsrel=1e-10, limit=400
        )
    for other in caught:
        if not issubclass(other.category, IntegrationWarning):
            warnings.warn(other.message, other.category, stacklevel=2)
    if any(issubclass(w.category, IntegrationWarning) for w in caught):
        return float(value), float("inf")
    return float(value), float(error) + tail


def subadditivity(
    states: tuple[ArrayLike, ArrayLike, ArrayLike],
    ops: tuple[Sequence[ArrayLike], Sequence[ArrayLike], Sequence[ArrayLike]],
    first_channel: Sequence[ArrayLike],
    second_channel: Sequence[ArrayLike],
) -> tuple[float, float]:
    r"""Both sides of Wirth 2025, Thm. 2.11 for :math:`\Phi_{12*}(\rho_2) = \rho_1`,
    :math:`\Phi_{23*}(\rho_3) = \rho_2`:

    :math:`C(\Phi_{23}\circ\Phi_{12})^{1/2} \le C(\Phi_{12})^{1/2} + C(\Phi_{23})^{1/2}`.

    Returns ``(left, right)``.
    """
    rho1, rho2, rho3 = states
    x1, x2, x3 = ops
    composed = compose(
        as_kraus(first_channel, "first_channel"), as_kraus(second_channel, "second_channel")
    )
    left = np.sqrt(max(dpt_cost(rho1, rho3, x1, x3, composed), 0.0))
    right = np.sqrt(max(dpt_cost(rho1, rho2, x1, x2, first_channel), 0.0)) + np.sqrt(
        max(dpt_cost(rho2, rho3, x2, x3, second_channel), 0.0)
    )
    return float(left), float(right)


@dataclass(frozen=True)
class TriangleCheck:
    r"""Triangle inequality :math:`W_{13} \le W_{12} + W_{23}` (Wirth 2025, Cor. 2.14), certified.

    ``certified_slack`` uses the brackets: :math:`\sqrt{\ell_{12}} + \sqrt{\ell_{23}} -
    \sqrt{u_{13}}` (lower bounds of the two sides, upper bound of the long side).
    """

    w12: TransportResult
    w23: TransportResult
    w13: TransportResult

    @property
    def slack(self) -> float:
        """Point estimate :math:`W_{12} + W_{23} - W_{13}`."""
        return self.w12.distance + self.w23.distance - self.w13.distance

    @property
    def certified_slack(self) -> float:
        """A lower bound of the slack from the certified brackets."""
        root = lambda value: float(np.sqrt(max(value, 0.0)))  # noqa: E731
        return root(self.w12.lower_bound) + root(self.w23.lower_bound) - root(self.w13.upper_bound)


def triangle_check(
    rho1: ArrayLike, rho2: ArrayLike, rho3: ArrayLike, ops: Sequence[ArrayLike], **options: object
) -> TriangleCheck:
    """Compute the three divergences of a triple of states (same ``ops``)."""
    return TriangleCheck(
        w12=dpt_divergence(rho1, rho2, ops, **options),  # type: ignore[arg-type]
        w23=dpt_divergence(rho2, rho3, ops, **options),  # type: ignore[arg-type]
        w13=dpt_divergence(rho1, rho3, ops, **options),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class TriangleSearch:
    """Outcome of :func:`adversarial_triangle_search`.

    Attributes
    ----------
    best
        The triple with the smallest slack found, with its certified divergences.
    states
        That triple of density matrices.
    final_slacks
        Relative slack :math:`(W_{12}+W_{23}-W_{13})/(W_{12}+W_{23})` at the end of each restart.
    evaluations
        Number of triples evaluated.
    """

    best: TriangleCheck
    states: tuple[np.ndarray, np.ndarray, np.ndarray]
    final_slacks: tuple[float, ...]
    evaluations: int


def _state_from_parameters(parameters: np.ndarray, dim: int) -> np.ndarray:
    matrix = parameters[: dim * dim].reshape(dim, dim) + 1j * parameters[dim * dim :].reshape(
        dim, dim
    )
    density = matrix @ matrix.conj().T
    return hermitian_part(density / np.trace(density).real)


def adversarial_triangle_search(
    dim: int,
    ops: Sequence[ArrayLike],
    *,
    restarts: int = 4,
    evaluations_per_restart: int = 150,
    seed: int = 0,
) -> TriangleSearch:
    r"""Search for triples of states minimising the triangle slack :math:`W_{12} + W_{23} - W_{13}`.

    Nelder–Mead on the *relative* slack :math:`(W_{12} + W_{23} - W_{13})/(W_{12} + W_{23})`
    over :math:`\rho_k = G_kG_k^*/\operatorname{tr}(G_kG_k^*)`, :math:`G_k\in\mathbb C^{d\times d}`,
    from random restarts whose middle state starts on the segment between the outer two (where
    the slack is smallest). Wirth 2025, Cor. 2.14 proves the slack is :math:`\ge 0`: a certified
    negative slack would be a bug in qmot, not a discovery.
    """
    from scipy.optimize import minimize

    x_ops = _as_operators(ops, "ops", dim)
    rng = np.random.default_rng(seed)
    size = 2 * dim * dim
    record: dict[str, object] = {"relative": np.inf, "evaluations": 0}

    def objective(parameters: np.ndarray) -> float:
        states = tuple(
            _state_from_parameters(parameters[k * size : (k + 1) * size], dim) for k in range(3)
        )
        check = triangle_check(*states, x_ops)
        record["evaluations"] = int(record["evaluations"]) + 1  # type: ignore[call-overload]
        relative = check.slack / max(check.w12.distance + check.w23.distance, 1e-12)
        if relative < record["relative"]:  # type: ignore[operator]
            record.update(relative=relative, check=check, states=states)
        return relative

    finals = []
    for _ in range(restarts):
        outer = rng.normal(size=(2, size))
        middle = (1 - (weight := rng.uniform(0.2, 0.8))) * outer[0] + weight * outer[1]
        start = np.concatenate([outer[0], middle + 0.05 * rng.normal(size=size), outer[1]])
        outcome = minimize(
            objective,
            start,
            method="Nelder-Mead",
            options={"maxfev": evaluations_per_restart, "xatol": 1e-8, "fatol": 1e-12},
        )
        finals.append(float(outcome.fun))
    return TriangleSearch(
        best=record["check"],
        states=record["states"],  # type: ignore[arg-type]
        final_slacks=tuple(finals),
        evaluations=int(record["evaluations"]),
    )  # type: ignore[call-overload]

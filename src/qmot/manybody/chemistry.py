r"""Spherically averaged radial densities of atoms from PySCF (optional extra ``qmot[chem]``).

For an atom at the origin every basis function is :math:`\phi_{am}(x) = R_a(r)\,Y_{l_am}(\hat x)`
with a contracted Gaussian radial part :math:`R_a(r) = r^{l_a}\sum_k c_{ak}e^{-\alpha_{ak}r^2}`. The
spherical average of :math:`\rho(x) = \sum D_{\mu\nu}\phi_\mu(x)\phi_\nu(x)` is therefore

.. math::

    \bar\rho(r) = \frac{1}{4\pi}\int_{S^2}\rho(r\omega)\,d\omega
    = \sum_{a,b:\ l_a = l_b} K_{ab}\,R_a(r)R_b(r),

a finite sum of Gaussians: products of spherical harmonics of different :math:`(l, m)` average to
zero. The constants :math:`K_{ab}` are computed once, exactly, by a Lebedev rule of degree
:math:`\ge 2l_{\max}` (exact for spherical harmonics of that degree; V. I. Lebedev, D. N. Laikov,
Doklady Math. 59 (1999) 477) applied at one radius. PySCF is imported only here, never at import of
:mod:`qmot`; nothing is downloaded (the basis sets ship with PySCF).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qmot.errors import InvalidInputError

__all__ = ["RadialDensity", "spherical_average_density"]


@dataclass(frozen=True)
class RadialDensity:
    r"""Vectorised :math:`\bar\rho(r) = \sum_{pairs}K_{ab}r^{2l}\sum_{k,k'}c_{ak}c_{bk'}
    e^{-(\alpha_{ak}+\alpha_{bk'})r^2}` (a sum of Gaussians, stored as powers, exponents and
    coefficients)."""

    powers: np.ndarray
    exponents: np.ndarray
    coefficients: np.ndarray
    electrons: float

    def __call__(self, r: ArrayLike) -> np.ndarray:
        radius = np.asarray(r, dtype=float)
        square = radius.reshape(-1, 1) ** 2
        total = np.zeros(square.shape[0])
        for power in np.unique(self.powers):
            chosen = self.powers == power
            gaussians = np.exp(-square * self.exponents[chosen]) @ self.coefficients[chosen]
            total += square[:, 0] ** int(power // 2) * gaussians
        return total.reshape(radius.shape)

    def suggested_r_max(self, threshold: float = 1e-24) -> float:
        """A radius beyond which every Gaussian term, times :math:`4\\pi r^3`, is below
        ``threshold`` relative to the electron number."""
        radius = 1.0
        while radius < 1e4:
            probe = np.array([radius])
            tails = (
                np.abs(self.coefficients)
                * radius ** (self.powers + 3)
                * np.exp(-self.exponents * radius**2)
            )
            if 4 * math.pi * float(np.sum(tails)) <= threshold * self.electrons and probe[0] > 1:
                return radius
            radius *= 1.25
        return radius


def _lebedev(degree: int) -> tuple[np.ndarray, np.ndarray]:
    from pyscf.dft import gen_grid

    orders = sorted(k for k in gen_grid.LEBEDEV_ORDER if k >= degree)
    grid = np.asarray(gen_grid.MakeAngularGrid(gen_grid.LEBEDEV_ORDER[orders[0]]))
    return grid[:, :3], grid[:, 3] / np.sum(grid[:, 3])


def _check_atom(mol: Any, dm: ArrayLike) -> np.ndarray:
    coords = np.asarray(mol.atom_coords())
    if not np.allclose(coords, coords[0], atol=1e-12):
        raise InvalidInputError(
            f"`mol` must be a single atom (all basis centres at one point) for an exact "
            f"spherical average (got {mol.natm} centres)"
        )
    matrix = np.asarray(dm, dtype=float)
    if matrix.ndim == 3:  # unrestricted: alpha + beta
        matrix = matrix.sum(axis=0)
    if matrix.shape != (mol.nao, mol.nao):
        raise InvalidInputError(
            f"`dm` must be the {mol.nao}x{mol.nao} one-body density matrix in the AO basis "
            f"(got shape {matrix.shape})"
        )
    if getattr(mol, "cart", False):
        raise InvalidInputError("`mol` must use spherical basis functions (got cart=True)")
    return 0.5 * (matrix + matrix.T)


def _units(mol: Any) -> list[tuple[int, int, np.ndarray, np.ndarray, int]]:
    """One entry per contracted radial function: (angular momentum, first AO index,
    exponents, coefficients as used by libcint, shell) — a shell with several contractions
    holds its AOs contraction by contraction, 2l+1 each."""
    offsets = mol.ao_loc_nr()
    units = []
    for shell in range(mol.nbas):
        angular = mol.bas_angular(shell)
        coefficients = mol._libcint_ctr_coeff(shell)
        for column in range(coefficients.shape[1]):
            first = offsets[shell] + column * (2 * angular + 1)
            units.append((angular, first, mol.bas_exp(shell), coefficients[:, column], shell))
    return units


def spherical_average_density(mol: Any, dm: ArrayLike) -> RadialDensity:
    r"""The exact spherical average :math:`\bar\rho(r)` of a PySCF atom's density (module
    docstring), for :func:`qmot.manybody.sce_radial` and
    :func:`qmot.manybody.radial_hartree_energy`.

    Parameters
    ----------
    mol
        A ``pyscf.gto.Mole`` with one atom (spherical basis functions).
    dm
        Its one-body density matrix in the AO basis (RHF, CCSD ``make_rdm1`` transformed to the
        AO basis, …; a (2, nao, nao) unrestricted pair is summed).

    Returns
    -------
    RadialDensity
        A vectorised callable :math:`r\mapsto\bar\rho(r)`.
    """
    matrix = _check_atom(mol, dm)
    center = np.asarray(mol.atom_coords())[0]
    units = _units(mol)
    directions, weights = _lebedev(2 * max(unit[0] for unit in units) + 1)
    powers, exponents, coefficients = [], [], []
    for angular, first_a, exps_a, coef_a, _ in units:
        for other, first_b, exps_b, coef_b, _ in units:
            if other != angular:
                continue
            radius = math.sqrt((angular + 1.0) / (exps_a.min() + exps_b.min()))
            values = mol.eval_gto("GTOval_sph", center + radius * directions)
            size = 2 * angular + 1
            block_a = values[:, first_a : first_a + size]
            block_b = values[:, first_b : first_b + size]
            dm_block = matrix[first_a : first_a + size, first_b : first_b + size]
            average = np.einsum("j,ja,ab,jb->", weights, block_a, dm_block, block_b)
            radial_a = radius**angular * float(np.exp(-exps_a * radius**2) @ coef_a)
            radial_b = radius**angular * float(np.exp(-exps_b * radius**2) @ coef_b)
            scale = average / (radial_a * radial_b)
            for alpha, ca in zip(exps_a, coef_a, strict=True):
                for beta, cb in zip(exps_b, coef_b, strict=True):
                    powers.append(2 * angular)
                    exponents.append(alpha + beta)
                    coefficients.append(scale * ca * cb)
    electrons = float(np.einsum("ij,ji->", matrix, mol.intor("int1e_ovlp")))
    keys = np.stack([np.array(powers, dtype=float), np.array(exponents)], axis=1)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    merged = np.zeros(len(unique))
    np.add.at(merged, inverse.ravel(), np.array(coefficients))
    return RadialDensity(unique[:, 0], unique[:, 1], merged, electrons)

"""Radial densities of PySCF atoms: the exact spherical average against PySCF itself."""

from __future__ import annotations

import numpy as np
import pytest

from qmot.errors import InvalidInputError
from qmot.manybody import radial_hartree_energy, sce_radial

pyscf = pytest.importorskip("pyscf")
from pyscf import gto, scf  # noqa: E402
from pyscf.dft import gen_grid  # noqa: E402

from qmot.manybody.chemistry import spherical_average_density  # noqa: E402


@pytest.fixture(scope="module")
def helium():
    mol = gto.M(atom="He 0 0 0", basis="aug-cc-pvtz", verbose=0)
    mf = scf.RHF(mol).run(conv_tol=1e-12)
    return mol, mf, mf.make_rdm1()


def test_spherical_average_matches_a_fine_lebedev_rule(helium):
    mol, _, dm = helium
    rho = spherical_average_density(mol, dm)
    grid = np.asarray(gen_grid.MakeAngularGrid(590))
    for radius in (0.05, 0.8, 3.0):
        ao = mol.eval_gto("GTOval_sph", radius * grid[:, :3])
        direct = np.einsum("j,ja,ab,jb->", grid[:, 3] / grid[:, 3].sum(), ao, dm, ao)
        assert rho(np.array([radius]))[0] == pytest.approx(direct, rel=1e-12)


def test_hartree_energy_matches_half_trace_dj(helium):
    mol, mf, dm = helium
    rho = spherical_average_density(mol, dm)
    exact = 0.5 * np.einsum("ij,ji->", dm, mf.get_j(mol, dm))
    result = radial_hartree_energy(rho, r_max=rho.suggested_r_max())
    assert abs(result.cost - exact) < 1e-11
    assert result.gap < 1e-9


def test_sce_of_helium_is_bracketed_to_1e10(helium):
    mol, _, dm = helium
    rho = spherical_average_density(mol, dm)
    result = sce_radial(rho, 2, r_max=rho.suggested_r_max())
    assert result.status == "estimate"  # a callable density: the quadrature estimates its error
    assert result.gap < 1e-10
    assert 0.54 < result.cost < 0.56  # V_ee^SCE of He densities is about 0.551
    assert result.w_infinity < 0


def test_molecules_are_refused():
    mol = gto.M(atom="H 0 0 0; H 0 0 0.74", basis="sto-3g", verbose=0, unit="Angstrom")
    with pytest.raises(InvalidInputError, match="`mol` must be a single atom"):
        spherical_average_density(mol, np.eye(mol.nao))


def test_general_contractions_and_open_shells():
    """Neon in cc-pVDZ (general contractions): the average integrates to 10 and U matches."""
    mol = gto.M(atom="Ne 0 0 0", basis="cc-pvdz", verbose=0)
    mf = scf.RHF(mol).run(conv_tol=1e-11)
    dm = mf.make_rdm1()
    rho = spherical_average_density(mol, dm)
    assert rho.electrons == pytest.approx(10.0, abs=1e-10)
    exact = 0.5 * np.einsum("ij,ji->", dm, mf.get_j(mol, dm))
    result = radial_hartree_energy(rho, r_max=rho.suggested_r_max())
    assert abs(result.cost - exact) < 1e-9

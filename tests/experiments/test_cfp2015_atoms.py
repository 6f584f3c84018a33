"""The SCE of atoms: claims pass with and without PySCF; the fallback densities are exact."""

from __future__ import annotations

import pytest

from qmot.experiments import cfp2015_atoms


def test_claims_pass_with_hydrogenic_densities(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cfp2015_atoms, "_pyscf_densities", lambda: None)
    claims, rows, figure = cfp2015_atoms.atoms(quick=True)
    assert [c.key for c in claims if not c.passed] == []
    by_atom = {row["atom"]: row for row in rows}
    # 1s^2 with exponent zeta: U = 5 zeta / 4 exactly, and V scales linearly in zeta
    for name, charge in cfp2015_atoms.IONS.items():
        zeta = charge - 5 / 16
        assert by_atom[name]["U"] == pytest.approx(1.25 * zeta, rel=1e-12)
    ratio = by_atom["Li+"]["V_ee^SCE"] / by_atom["He"]["V_ee^SCE"]
    assert ratio == pytest.approx((3 - 5 / 16) / (2 - 5 / 16), rel=1e-11)
    assert len(figure.axes) == 2

"""Claims of a paper checked by qmot, and the report that collects them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure

__all__ = ["Claim", "ExperimentReport"]


@dataclass(frozen=True)
class Claim:
    """One statement of a paper, qmot's number for it and the verdict.

    Attributes
    ----------
    key
        Short identifier (``"equal-masses"``).
    statement
        The claim in words.
    reference
        Where the paper makes it (``"Caglioti–Golse–Paul 2020, eq. (13)"``).
    paper_value
        The paper's value or statement, as text.
    qmot_value
        qmot's value (a number or a short text).
    lower_bound, upper_bound
        Certified bracket of ``qmot_value`` when it is a computed optimum.
    passed
        Whether qmot's evidence supports the claim.
    evidence
        Anything else that supports the verdict (gaps, residuals, worst cases, notes).
    criterion
        The test the verdict applies, in words (``"|C_q − (a−b)²| ≤ 1e-7 on every (a, b, ħ)"``).
    """

    key: str
    statement: str
    reference: str
    paper_value: str
    qmot_value: float | str
    passed: bool
    lower_bound: float | None = None
    upper_bound: float | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    criterion: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key": self.key,
            "statement": self.statement,
            "reference": self.reference,
            "paper_value": self.paper_value,
            "qmot_value": self.qmot_value,
            "lower_bound": self.lower_bound,
            "upper_bound": self.upper_bound,
            "passed": self.passed,
            "criterion": self.criterion,
            "evidence": dict(self.evidence),
        }


@dataclass
class ExperimentReport:
    """Claims, tables (lists of row dicts) and figures of one paper's reproduction.

    ``captions`` says in words what each figure (same key) shows.
    """

    paper: str
    title: str
    claims: list[Claim] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    captions: dict[str, str] = field(default_factory=dict)

    @property
    def all_passed(self) -> bool:
        """True when every claim passed (and there is at least one)."""
        return bool(self.claims) and all(claim.passed for claim in self.claims)

    def summary(self) -> list[tuple[str, str, bool]]:
        """``(key, reference, passed)`` for each claim."""
        return [(c.key, c.reference, c.passed) for c in self.claims]

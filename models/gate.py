"""The promotion gate: may a freshly trained model replace the champion?

Pure logic over already computed gains, so the rule is testable without MLflow and the reason it
gives is the exact rule that was applied.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from tailor.models.metrics import Estimate


@dataclass(frozen=True)
class GateDecision:
    promoted: bool
    reason: str


def evidence(task: str, label: pd.Series, unit: pd.Series, persons: pd.Series) -> dict[str, int]:
    """What the held-out evaluation rests on: distinct ``persons``; ``positives`` = rows with a
    positive label (binary: the rarer class, since both are needed to tell them apart; regression:
    persons who spent); ``lists`` = candidate lists (``unit``) holding at least one positive
    (ranking: a list without one carries no information about the order)."""
    y = np.asarray(label, float)
    positive = y > 0
    out = {"persons": int(pd.Series(persons).nunique()),
           "positives": int(min(positive.sum(), (~positive).sum()) if task == "binary"
                            else positive.sum())}
    if task == "ranking":
        out["lists"] = int(pd.Series(positive, index=pd.Series(unit).to_numpy())
                           .groupby(level=0).any().sum())
    return out


def shortfalls(found: Mapping[str, int], minimum: Mapping[str, int]) -> list[str]:
    """Each configured minimum ``found`` falls short of, as text (empty: enough to decide)."""
    return [f"{found[k]} {k} (minimum {minimum[k]})" for k in minimum
            if k in found and found[k] < minimum[k]]


def beats(gain: float, min_relative_gain: float) -> bool:
    """Strictly better, and by at least the configured relative margin (NaN never beats)."""
    return not math.isnan(gain) and gain > 0 and gain >= min_relative_gain


def wins(gain: Estimate, min_relative_gain: float, require_significant: bool) -> bool:
    """``beats`` on the point estimate, and, if required, a 95% CI entirely above 0."""
    return beats(gain.value, min_relative_gain) and (not require_significant or gain.ci_low > 0)


def _describe(who: str, gain: Estimate, min_relative_gain: float,
              require_significant: bool) -> str:
    won = wins(gain, min_relative_gain, require_significant)
    better = beats(gain.value, min_relative_gain)
    shaky = ", not significant: CI includes 0" if better and not gain.ci_low > 0 else ""
    return (f"{'beats' if won else 'does not beat'} {who} by {gain.value:+.2%} "
            f"(95% CI {gain.ci_low:+.2%}..{gain.ci_high:+.2%}{shaky})")


def decide(metric: str, min_relative_gain: float, vs_baseline: Estimate,
           vs_champion: Estimate | None, champion_note: str, *,
           require_significant: bool = False, too_little: list[str] | None = None,
           guards: Mapping[str, Estimate] | None = None) -> GateDecision:
    """Promote iff the model beats the baseline and (when comparable) the champion.

    ``vs_*`` are relative gains of the new model on the gate ``metric`` (positive = better);
    ``vs_champion`` is None when there is no champion or its features are not available, and
    ``champion_note`` says which of the two it was. ``require_significant``: a win must also
    have its bootstrap 95% CI above 0 (a point estimate inside the noise promotes nothing).
    ``too_little``: the :func:`shortfalls` of the evaluation's :func:`evidence`; any at all and
    the gate does not decide — nothing is promoted, whatever the gains say, and the reason
    lists what was missing (``models.promotion.min_evidence``).
    ``guards``: "<metric> vs <who>" → relative gain on another metric; the model must not be
    significantly worse on any (95% CI entirely below 0), whatever the gate metric says.
    """
    if too_little:
        return GateDecision(False, f"kept as challenger, gate not decided on {metric}: the "
                            f"held-out evaluation rests on too little data: "
                            + ", ".join(too_little) + " (models.promotion.min_evidence)")
    checks = [("baseline", vs_baseline)] + ([("champion", vs_champion)] if vs_champion else [])
    worse = {what: gain for what, gain in (guards or {}).items() if gain.ci_high < 0}
    promoted = (all(wins(gain, min_relative_gain, require_significant) for _, gain in checks)
                and not worse)
    parts = [_describe(who, gain, min_relative_gain, require_significant) for who, gain in checks]
    parts += [f"significantly worse on {what} by {gain.value:+.2%} (95% CI "
              f"{gain.ci_low:+.2%}..{gain.ci_high:+.2%})" for what, gain in worse.items()]
    if vs_champion is None:
        parts.append(champion_note)
    head = "promoted to champion" if promoted else "kept as challenger"
    rule = f"min relative gain {min_relative_gain:.2%}" + (
        ", significant at 95%" if require_significant else "")
    return GateDecision(promoted, f"{head} on {metric} ({rule}): " + "; ".join(parts))

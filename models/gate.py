"""The promotion gate: may a freshly trained model replace the champion?

Pure logic over already computed gains, so the rule is testable without MLflow and the reason it
gives is the exact rule that was applied.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from models.metrics import Estimate


@dataclass(frozen=True)
class GateDecision:
    promoted: bool
    reason: str


def beats(gain: float, min_relative_gain: float) -> bool:
    """Strictly better, and by at least the configured relative margin (NaN never beats)."""
    return not math.isnan(gain) and gain > 0 and gain >= min_relative_gain


def _describe(who: str, gain: Estimate, min_relative_gain: float) -> str:
    won = beats(gain.value, min_relative_gain)
    # The gate uses the point estimate; say so when the win is within bootstrap noise.
    shaky = ", not significant: CI includes 0" if won and not gain.ci_low > 0 else ""
    return (f"{'beats' if won else 'does not beat'} {who} by {gain.value:+.2%} "
            f"(95% CI {gain.ci_low:+.2%}..{gain.ci_high:+.2%}{shaky})")


def decide(metric: str, min_relative_gain: float, vs_baseline: Estimate,
           vs_champion: Estimate | None, champion_note: str) -> GateDecision:
    """Promote iff the model beats the baseline and (when comparable) the champion.

    ``vs_*`` are relative gains of the new model on the gate ``metric`` (positive = better);
    ``vs_champion`` is None when there is no champion or its features are not available, and
    ``champion_note`` says which of the two it was.
    """
    checks = [("baseline", vs_baseline)] + ([("champion", vs_champion)] if vs_champion else [])
    promoted = all(beats(gain.value, min_relative_gain) for _, gain in checks)
    parts = [_describe(who, gain, min_relative_gain) for who, gain in checks]
    if vs_champion is None:
        parts.append(champion_note)
    head = "promoted to champion" if promoted else "kept as challenger"
    return GateDecision(promoted, f"{head} on {metric} (min relative gain "
                                  f"{min_relative_gain:.2%}): " + "; ".join(parts))

"""The policy gate: a challenger replaces the champion only when the logs prove it is better.

Rule (``policy.gate``): on at least ``min_rows`` usable logged decisions, the lower bound of the
bootstrap (1 − alpha) interval of ``estimator``'s estimate of V(challenger) − V(champion) is above
0, and the challenger's estimated guardrails stay within their limits (unsubscribes, messages
and discount spend per decision). Anything else keeps the champion deciding, and says why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    reason: str
    guardrails: dict[str, dict[str, Any]] = field(default_factory=dict)


def estimate(results: list[dict], policy: str, outcome: str, estimator: str) -> dict | None:
    for r in results:
        if r["policy"] == policy and r["outcome"] == outcome and r["estimator"] == estimator:
            return r
    return None


def decide(evaluation, challenger: str, champion: str, settings, estimator_name: str) -> GateDecision:
    """Apply the gate rule to a :class:`~tailor.evaluation.policy_eval.PolicyEvaluation`."""
    g = settings
    diff = evaluation.comparison
    guard = {
        "unsubscribe_per_decision": _guard(estimate(evaluation.results, challenger, "unsubscribe",
                                                    estimator_name), g.max_unsubscribe_rate),
        "messages_per_decision": {"value": evaluation.messages[challenger],
                                  "limit": g.max_messages_per_decision,
                                  "ok": evaluation.messages[challenger] <= g.max_messages_per_decision},
        "discount_per_decision": _guard(estimate(evaluation.results, challenger, "discount",
                                                 estimator_name), g.max_discount_per_decision),
    }
    broken = [name for name, v in guard.items() if not v["ok"]]
    if evaluation.n < g.min_rows:
        return GateDecision(False, f"not enough evidence: {evaluation.n} usable logged decisions "
                                   f"< policy.gate.min_rows={g.min_rows}; {champion} keeps deciding",
                            guard)
    if diff is None:
        return GateDecision(False, "no comparison was made", guard)
    gain = (f"{estimator_name} V({challenger}) − V({champion}) = {diff['value']:+.4f} per decision, "
            f"{1 - diff['alpha']:.0%} CI [{diff['ci_low']:+.4f}, {diff['ci_high']:+.4f}], "
            f"n={evaluation.n}")
    if diff["ci_low"] <= 0:
        return GateDecision(False, f"not better with confidence: {gain}; {champion} keeps deciding",
                            guard)
    if broken:
        detail = ", ".join(f"{k} {guard[k]['value']:.4f} > {guard[k]['limit']}" for k in broken)
        return GateDecision(False, f"better ({gain}) but breaks guardrails: {detail}", guard)
    return GateDecision(True, f"promoted: {gain}; guardrails within limits", guard)


def _guard(result: dict | None, limit: float) -> dict[str, Any]:
    if result is None:
        return {"value": float("nan"), "limit": limit, "ok": False}
    return {"value": result["value"], "ci_low": result["ci_low"], "ci_high": result["ci_high"],
            "limit": limit, "ok": result["value"] <= limit}

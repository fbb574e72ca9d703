"""The policy report: one self-contained HTML page per run (``runs/<ds>/reports/policy.html``).

What it shows, each from its table: the off-policy estimates of every policy with 95% CIs and the
gate's decision (``ops.policy_gate``), the guardrails, incrementality against the global holdout
(``ops.incrementality``) and the cost per 1,000 decisions (``ops.runs``). Plots are embedded as
PNG. Pure: frames in, HTML out (``jobs/policy_report.py`` reads the tables).
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd

from tailor.evaluation.plots import policy_values
from tailor.pages import head
from tailor.pages import png as _png
from tailor.pages import table as _table


def summary_lines(gate: pd.DataFrame, cost: dict[str, Any] | None) -> list[str]:
    """Three lines for a terminal: the decision, the estimates, the cost."""
    if gate.empty:
        return ["policy gate: no evaluation for this run", "", ""]
    first = gate.iloc[0]
    diff = gate[gate["policy"] == "challenger-champion"]
    est = diff["estimator"].iloc[0] if len(diff) else "dr"
    values = gate[(gate["outcome"] == "reward") & (gate["estimator"] == est)]
    parts = [f"{r.policy} {r.value:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]"
             for r in values.itertuples() if r.policy != "challenger-champion"]
    line1 = (f"policy gate: {'PROMOTED' if first['promoted'] else 'kept champion'} "
             f"({first['challenger']} vs {first['champion']}) — {first['reason']}")
    line2 = f"value per decision ({est}, 95% CI): " + "; ".join(parts)
    per = (cost or {}).get("cost_per_1000_decisions")
    line3 = ("cost: " + (f"{per:.5f} {cost['currency']} per 1,000 decisions "
                         f"({cost['cpu_seconds'] / 3600:.3f} CPU-hours, {cost['decisions']} "
                         f"decisions)" if cost and per is not None else "not recorded yet"))
    return [line1, line2, line3]


def render(ds: str, gate: pd.DataFrame, incrementality: pd.DataFrame | None,
           cost: dict[str, Any] | None) -> str:
    """The report page for ``ds``."""
    parts = [head(f"Tailor policy report, ds={ds}")]
    lines = summary_lines(gate, cost)
    parts.append("<p>" + "<br>".join(html.escape(x) for x in lines if x) + "</p>")
    if not gate.empty:
        first = gate.iloc[0]
        cls = "ok" if first["promoted"] else "bad"
        parts.append(f"<h2>Gate</h2><p class='{cls}'>{html.escape(str(first['reason']))}</p>")
        reward = gate[gate["outcome"] == "reward"].drop(columns=["ds", "challenger", "champion",
                                                                 "promoted", "reason",
                                                                 "decided_at", "outcome"],
                                                        errors="ignore")
        parts.append("<h2>Value per decision (off-policy, held-out logged decisions)</h2>")
        parts.append(_png(policy_values(gate.to_dict("records"))))
        parts.append(_table(reward))
        guards = gate[gate["outcome"].isin(["unsubscribe", "discount", "messages"])][
            ["policy", "outcome", "estimator", "value", "ci_low", "ci_high"]]
        parts.append("<h2>Guardrails</h2>" + _table(guards))
    parts.append("<h2>Incrementality (treated vs global holdout)</h2>")
    if incrementality is None or incrementality.empty:
        parts.append("<p class='note'>no complete outcome window yet (ops.incrementality)</p>")
    else:
        parts.append(_table(incrementality))
    parts.append("<h2>Cost</h2>")
    if cost:
        by_task = pd.DataFrame(sorted(cost.get("cpu_by_task", {}).items(), key=lambda kv: -kv[1]),
                               columns=["task", "cpu_seconds"])
        parts.append(_table(pd.DataFrame([{k: v for k, v in cost.items() if k != "cpu_by_task"}])))
        parts.append(_table(by_task, digits=1))
    else:
        parts.append("<p class='note'>no run records (ops.runs)</p>")
    parts.append("<p class='note'>Estimates: IPS, SNIPS, DM, DR, SNDR, switch-DR, clipped DR, "
                 "DRos (tailor/evaluation/ope); 95% bootstrap intervals resample whole persons; "
                 "reward = attributed conversion value − action cost.</p>")
    return "\n".join(parts)

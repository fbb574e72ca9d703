"""Plots of policy evaluations (MLflow artifacts and the policy report)."""
from __future__ import annotations

from typing import Sequence

from matplotlib.figure import Figure


def policy_values(results: Sequence[dict], outcome: str = "reward",
                  estimators: Sequence[str] | None = None) -> Figure:
    """Estimated value per decision of each policy (one marker per estimator, 95% CI bars)."""
    rows = [r for r in results if r["outcome"] == outcome
            and (estimators is None or r["estimator"] in estimators)]
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    names = list(dict.fromkeys(r["estimator"] for r in rows))
    fig = Figure(figsize=(8, 3.5))
    ax = fig.subplots()
    width = 0.8 / max(len(names), 1)
    for j, est in enumerate(names):
        xs, ys, lo, hi = [], [], [], []
        for i, pol in enumerate(policies):
            r = next((r for r in rows if r["policy"] == pol and r["estimator"] == est), None)
            if r is None:
                continue
            xs.append(i - 0.4 + width * (j + 0.5))
            ys.append(r["value"])
            lo.append(r["value"] - r["ci_low"])
            hi.append(r["ci_high"] - r["value"])
        ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", capsize=3, label=est)
    ax.set_xticks(range(len(policies)), policies)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_ylabel(f"{outcome} per decision")
    ax.set_title(f"Off-policy estimates of each policy ({outcome}), 95% bootstrap CIs")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig

"""policy_report: ``runs/<ds>/reports/policy.html`` — the policy's evidence for one run: off-policy
estimates of every policy with CIs and the gate's decision, guardrails, incrementality against the
global holdout, cost per 1,000 decisions, with plots (``tailor/evaluation/report.py``).
Spark-free: reads the ops tables with delta-rs.
"""
from __future__ import annotations

import os

import pandas as pd

from tailor.evaluation.cost import cost_of_day
from tailor.evaluation.report import render, summary_lines
from tailor.runtime import JobContext, main

GATE, INCREMENTALITY = "ops.policy_gate", "ops.incrementality"


def _read(lh, name: str, **partitions) -> pd.DataFrame:
    if not lh.exists(name):
        return pd.DataFrame()
    return lh.read_arrow(name, partitions=partitions or None).to_pandas()


def run(ctx: JobContext) -> dict:
    """Render the policy report of ds."""
    from tailor.lakehouse import Lakehouse

    lh = Lakehouse(ctx.cfg)
    gate = _read(lh, GATE, ds=ctx.ds)
    incr = _read(lh, INCREMENTALITY)
    cost = run_cost(ctx)
    out_dir = os.path.join(ctx.cfg.runs_dir, ctx.ds, "reports")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "policy.html")
    with open(path, "w") as fh:
        fh.write(render(ctx.ds, gate, incr, cost))
    lines = summary_lines(gate, cost)
    for line in lines:
        if line:
            print(line)
    return {"report": path, "summary": lines}


def run_cost(ctx: JobContext) -> dict | None:
    """What the run cost so far (``ops.runs``), None before any run was recorded."""
    cost = cost_of_day(ctx.cfg, ctx.ds)
    return cost.as_dict() if cost.executions else None


if __name__ == "__main__":
    main(run, "policy_report")

"""Job ``incrementality``: treated vs holdout outcomes of past decision days → ``ops.incrementality``.

For every ``gold.decisions`` day d whose outcome window is complete (d + incrementality.window_days
<= ds) and that no other run has evaluated yet (at most incrementality.max_days_per_run, newest
first): per channel and for ``all``, the conversion rate (any order: purchase or conversion) and
the revenue per person in the window, treated vs the global holdout, with the difference and a
Welch confidence interval. Only the ``all`` row is a randomised comparison (every non-holdout
person vs every holdout person); a channel row compares the persons messaged on that channel
with the consenting holdout, a selected group (tailor/evaluation/incrementality.py says why).

The rows go to the ``ds`` partition of ``ops.incrementality`` (replacing it: rerunning a day
recomputes the same days). Reads silver.events and gold.decisions only.

    tailor run incrementality --ds 2026-10-15
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pyarrow as pa

from tailor.catalog import table
from tailor.evaluation.incrementality import (
    ALL,
    days_to_evaluate,
    incrementality_rows,
    outcome_sums,
    window_dates,
)
from tailor.runtime import JobContext, main

TABLE = "ops.incrementality"
DECISIONS, EVENTS = "gold.decisions", "silver.events"


def _done_elsewhere(ctx: JobContext) -> set[str]:
    """Decision days other runs (other ds partitions) already evaluated."""
    lh = ctx.lakehouse
    if not lh.exists(TABLE):
        return set()
    done = lh.read_arrow(TABLE, columns=["ds", "decision_ds"]).to_pylist()
    return {r["decision_ds"] for r in done if r["ds"] != ctx.ds}


def run(ctx: JobContext) -> dict[str, Any]:
    """Evaluate the complete, not yet evaluated decision days; write them under ds."""
    lh, inc = ctx.lakehouse, ctx.cfg.incrementality
    decision_days = lh.partition_values(DECISIONS, "ds") if lh.exists(DECISIONS) else []
    versions = {DECISIONS: lh.version(DECISIONS), EVENTS: lh.version(EVENTS)}
    if versions[EVENTS] is None:
        decision_days = []  # no outcomes to count: nothing is evaluated (and nothing marked done)
    days = days_to_evaluate(decision_days, ctx.ds, inc.window_days, _done_elsewhere(ctx),
                            inc.max_days_per_run)
    schema = table(TABLE).arrow_schema
    if days:
        decisions = lh.read(DECISIONS, version=versions[DECISIONS], partitions={"ds": days})
        events = lh.read(EVENTS, version=versions[EVENTS],
                         partitions={"event_date": window_dates(days, inc.window_days)})
        sums = outcome_sums(decisions, events, inc.window_days).toPandas()
        rows = incrementality_rows(sums, ds=ctx.ds, window_days=inc.window_days,
                                   confidence=inc.confidence,
                                   decisions_version=versions[DECISIONS],
                                   events_version=versions[EVENTS],
                                   computed_at=datetime.now(timezone.utc))
        data = pa.Table.from_pandas(rows, schema=schema, preserve_index=False)
    else:
        data = schema.empty_table()
    result = lh.write_arrow(data, TABLE, "overwrite_partitions", partition_by=["ds"],
                            replace_partitions={"ds": ctx.ds},
                            metadata={"tailor.job": "incrementality", "tailor.ds": ctx.ds})
    overall = [r for r in data.to_pylist() if r["channel"] == ALL]
    for r in overall:
        print(_line(r))
    pending = [d for d in decision_days if d not in days and d > ctx.shift(-inc.window_days)]
    if not days:
        print(f"{ctx.ds}: no decision day with a complete {inc.window_days}-day window left to "
              f"evaluate (decision days: {len(decision_days)})")
    return {"table": TABLE, "version": result.version, "decision_days": days,
            "window_days": inc.window_days, "incomplete_days": pending, "rows_out": data.num_rows,
            "all": {r["decision_ds"]: {k: r[k] for k in ("n_treated", "n_holdout", "conv_rate_diff",
                                                        "conv_rate_ci_low", "conv_rate_ci_high",
                                                        "revenue_pp_diff", "revenue_pp_ci_low",
                                                        "revenue_pp_ci_high")}
                    for r in overall},
            "inputs": versions}


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _line(r: dict[str, Any]) -> str:
    return (f"{r['decision_ds']} all: conversion {_fmt(r['conv_rate_treated'], '.2%')} treated "
            f"(n={r['n_treated']}) vs {_fmt(r['conv_rate_holdout'], '.2%')} holdout "
            f"(n={r['n_holdout']}), diff {_fmt(r['conv_rate_diff'], '+.2%')} "
            f"[{_fmt(r['conv_rate_ci_low'], '+.2%')}, {_fmt(r['conv_rate_ci_high'], '+.2%')}]; "
            f"revenue/person diff {_fmt(r['revenue_pp_diff'], '+.2f')} "
            f"[{_fmt(r['revenue_pp_ci_low'], '+.2f')}, {_fmt(r['revenue_pp_ci_high'], '+.2f')}]")


if __name__ == "__main__":
    main(run, "incrementality")

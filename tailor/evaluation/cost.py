"""Cost per 1,000 decisions of a daily run, from what every job recorded in ``ops.runs``.

    cost per 1,000 decisions = CPU-hours of every execution recorded for ds
                               × cost.price_per_core_hour / decisions in gold.decisions(ds) × 1000

Every execution of the day counts — retries, reruns and failed attempts were paid for too, and
nearline jobs recorded under that ds are part of what the day cost; the breakdown per task shows
what a figure is made of. CPU is what the jobs' process trees used on the machine that ran them
(``tailor/usage.py``): with ``spark.master`` on a cluster, executors elsewhere are not in it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from tailor.config import Config

DECISIONS_TABLE = "gold.decisions"


def cost_per_thousand(cpu_seconds: float, price_per_core_hour: float,
                      decisions: int | None) -> float | None:
    """CPU-seconds → cost of 1,000 decisions (None when there are no decisions to divide by)."""
    if not decisions or decisions <= 0:
        return None
    return cpu_seconds / 3600.0 * price_per_core_hour / decisions * 1000.0


@dataclass(frozen=True)
class RunCost:
    """What one daily run (every job execution recorded for ``ds``) cost."""

    ds: str
    executions: int
    failed: int
    cpu_seconds: float
    wall_seconds: float
    decisions: int | None
    price_per_core_hour: float
    currency: str
    cost: float
    cost_per_1000_decisions: float | None
    cpu_by_task: dict[str, float] = field(default_factory=dict)
    unmeasured: int = 0        # executions without a CPU figure (measurement failed)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def summary_line(self) -> str:
        per = ("n/a (no decisions)" if self.cost_per_1000_decisions is None
               else f"{self.cost_per_1000_decisions:.6f} {self.currency}")
        return (f"{self.ds}: {self.cpu_seconds / 3600:.4f} CPU-hours over {self.executions} job "
                f"executions ({self.failed} failed) × {self.price_per_core_hour} "
                f"{self.currency}/core-hour = {self.cost:.6f} {self.currency}; "
                f"{self.decisions or 0} decisions → {per} per 1,000 decisions")


def run_cost(ds: str, runs: Iterable[Mapping[str, Any]], decisions: int | None,
             price_per_core_hour: float, currency: str = "USD") -> RunCost:
    """The cost of ``ds`` from its ``ops.runs`` rows and its decision count (pure)."""
    rows = [r for r in runs if r.get("ds") == ds]
    by_task: dict[str, float] = {}
    for r in rows:
        by_task[r["task"]] = by_task.get(r["task"], 0.0) + float(r.get("cpu_seconds") or 0.0)
    cpu = sum(by_task.values())
    return RunCost(
        ds=ds, executions=len(rows), failed=sum(r.get("status") == "failed" for r in rows),
        cpu_seconds=cpu, wall_seconds=sum(float(r.get("wall_seconds") or 0.0) for r in rows),
        decisions=decisions, price_per_core_hour=price_per_core_hour, currency=currency,
        cost=cpu / 3600.0 * price_per_core_hour,
        cost_per_1000_decisions=cost_per_thousand(cpu, price_per_core_hour, decisions),
        cpu_by_task=dict(sorted(by_task.items(), key=lambda kv: -kv[1])),
        unmeasured=sum(r.get("cpu_seconds") is None for r in rows))


def cost_of_day(cfg: Config, ds: str) -> RunCost:
    """:func:`run_cost` of ``ds`` read from ``ops.runs`` and ``gold.decisions`` (no Spark)."""
    from tailor.lakehouse import Lakehouse
    from tailor.runlog import read_runs

    lh = Lakehouse(cfg)
    decisions = (lh.count(DECISIONS_TABLE, partitions={"ds": ds})
                 if lh.exists(DECISIONS_TABLE) else None)
    return run_cost(ds, read_runs(cfg, ds), decisions, cfg.cost.price_per_core_hour,
                    cfg.cost.currency)

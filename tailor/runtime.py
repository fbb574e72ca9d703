"""What every job gets: config, Spark, the lakehouse and the run's date, plus run records.

A job module in ``jobs/`` defines ``run(ctx: JobContext) -> dict`` and ends with
``if __name__ == "__main__": main(run)`` so it works under spark-submit, ``tailor run JOB`` and
Airflow alike. The summary dict is printed as JSON and kept under ``runs/<ds>/<job>.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable

from tailor import credentials
from tailor.clock import day_end
from tailor.config import Config, get_config


@dataclass
class JobContext:
    """Everything a job needs; Spark and the lakehouse start lazily (validate/publish skip them)."""

    cfg: Config
    ds: str
    job: str = "job"
    _spark: Any = field(default=None, repr=False)
    _lakehouse: Any = field(default=None, repr=False)

    @property
    def spark(self):
        if self._spark is None:
            from tailor.spark import get_spark

            self._spark = get_spark(self.cfg, app_name=f"tailor-{self.job}")
        return self._spark

    @property
    def lakehouse(self):
        if self._lakehouse is None:
            from tailor.lakehouse import Lakehouse

            self._lakehouse = Lakehouse(self.cfg, self._spark_or_lazy())
        return self._lakehouse

    def _spark_or_lazy(self):
        return self._spark  # Lakehouse builds Spark itself on first Spark use

    @property
    def ds_date(self) -> date:
        return date.fromisoformat(self.ds)

    def day_end(self, ds: str | None = None) -> datetime:
        """The exclusive end of day ``ds`` in UTC: the as-of instant for that day's features."""
        return day_end(ds or self.ds)

    def shift(self, days: int) -> str:
        """``ds`` moved by ``days`` (negative = earlier), as YYYY-MM-DD."""
        return (self.ds_date + timedelta(days=days)).isoformat()


def record_run(cfg: Config, job: str, ds: str, summary: dict[str, Any]) -> str:
    """Write the job summary to runs/<ds>/<job>.json (the human-readable run record)."""
    out_dir = os.path.join(cfg.runs_dir, ds)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{job}.json")
    with open(path, "w") as fh:
        json.dump(summary, fh, indent=2, default=str)
    return path


def execute(job: str, run: Callable[[JobContext], dict[str, Any]], ds: str,
            cfg: Config | None = None, spark: Any = None) -> dict[str, Any]:
    """Run one job for ``ds`` and record its summary; exceptions propagate (task fails)."""
    cfg = cfg or get_config()
    credentials.check(cfg, f"job {job}")
    date.fromisoformat(ds)  # fail fast on a malformed --ds
    ctx = JobContext(cfg=cfg, ds=ds, job=job, _spark=spark)
    started = time.time()
    summary = run(ctx) or {}
    summary = {"job": job, "ds": ds, "seconds": round(time.time() - started, 2), **summary}
    record_run(cfg, job, ds, summary)
    return summary


def main(run: Callable[[JobContext], dict[str, Any]], job: str | None = None) -> None:
    """spark-submit entry point: ``spark-submit jobs/ingest.py --ds 2026-10-15``."""
    parser = argparse.ArgumentParser(description=(run.__doc__ or "").strip())
    parser.add_argument("--ds", required=True, help="the run's date, YYYY-MM-DD (Airflow's {{ ds }})")
    args = parser.parse_args()
    name = job or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    summary = execute(name, run, args.ds)
    print(json.dumps(summary, indent=2, default=str))

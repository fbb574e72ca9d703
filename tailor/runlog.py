"""``ops.runs``: one row per job execution — what it cost and how it ended.

:func:`tailor.runtime.execute` starts a :class:`RunMeter` before a job and calls
:meth:`RunMeter.finish` after it (success or failure); :func:`append` adds the row to
``ops.runs`` with ``Lakehouse.write_arrow`` (delta-rs: recording never starts Spark). Reruns
append new rows (history). Recording must never fail a job: :func:`append_quietly` logs a
warning instead of raising.

Rows in / out come from the job's summary when it states them as ``rows_in`` / ``rows_out``.
"""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

import pyarrow as pa

from tailor.config import Config
from tailor.usage import TreeWatch, Usage

RUNS_TABLE = "ops.runs"
T = TypeVar("T")
# appends of different jobs (parallel Airflow tasks) commute: retry a lost commit race
COMMIT_RETRIES = 20

log = logging.getLogger(__name__)


@dataclass
class RunMeter:
    """Wall clock and process-tree CPU of one job execution (a :class:`~tailor.usage.TreeWatch`
    sampling the tree every ``sample_s`` meanwhile). Neither :meth:`start` nor :meth:`finish`
    raises: a measurement that fails leaves its fields empty (and is logged)."""

    job: str
    task: str
    ds: str
    run_id: str
    started_at: datetime
    t0: float
    watch: TreeWatch | None

    @classmethod
    def start(cls, job: str, task: str, ds: str, also: tuple[int, ...] = (),
              sample_s: float = 1.0) -> "RunMeter":
        """``also``: processes charged beside this tree (a Spark Connect server)."""
        return cls(job, task, ds, uuid.uuid4().hex, datetime.now(timezone.utc), time.monotonic(),
                   _watch(also, sample_s))

    def wall_seconds(self) -> float:
        return time.monotonic() - self.t0

    def finish(self, cfg: Config, summary: dict[str, Any] | None = None,
               error: BaseException | None = None) -> dict[str, Any]:
        """The ``ops.runs`` row of this execution, measured now ({} if even that fails)."""
        wall, usage = self.wall_seconds(), _stop(self.watch)
        first = self.watch.first if self.watch else None
        cpu = usage.cpu_since(first) if usage and first else None
        try:
            return run_row(
                run_id=self.run_id, job=self.job, task=self.task, ds=self.ds,
                started_at=self.started_at, finished_at=datetime.now(timezone.utc),
                wall_seconds=wall, cpu_seconds=cpu,
                peak_rss_bytes=usage.peak_rss_bytes if usage else None, summary=summary,
                error=error, cfg=cfg)
        except Exception as exc:  # noqa: BLE001 - recording never fails a job
            log.warning("could not build the %s row of %s %s: %s: %s", RUNS_TABLE, self.task,
                        self.ds, type(exc).__name__, exc)
            return {}


def _watch(also: tuple[int, ...], sample_s: float) -> TreeWatch | None:
    return _quietly(lambda: TreeWatch(also, sample_s).start())


def _stop(watch: TreeWatch | None) -> Usage | None:
    return _quietly(watch.stop) if watch is not None else None


def _quietly(measure: Callable[[], T]) -> T | None:
    """``measure()``, or None (logged) if it fails: recording never fails a job."""
    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 - recording never fails a job
        log.warning("could not measure CPU usage: %s: %s", type(exc).__name__, exc)
        return None


def first_line(error: BaseException) -> str:
    """The first non-empty line of an exception's message (or its type when it has none)."""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()[:500]
    return type(error).__name__


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def run_row(*, run_id: str, job: str, task: str, ds: str, started_at: datetime,
            finished_at: datetime, wall_seconds: float, cpu_seconds: float | None,
            peak_rss_bytes: int | None, summary: dict[str, Any] | None,
            error: BaseException | None, cfg: Config) -> dict[str, Any]:
    """One ``ops.runs`` row (pure: every input is given)."""
    summary = summary or {}
    return {
        "run_id": run_id, "job": job, "task": task, "ds": ds,
        "status": "failed" if error is not None else "success",
        "error_type": type(error).__name__ if error is not None else None,
        "error": first_line(error) if error is not None else None,
        "started_at": started_at, "finished_at": finished_at,
        "wall_seconds": round(float(wall_seconds), 3),
        "cpu_seconds": None if cpu_seconds is None else round(float(cpu_seconds), 3),
        "peak_rss_mb": None if peak_rss_bytes is None else round(peak_rss_bytes / 2**20, 1),
        "rows_in": _count(summary.get("rows_in")), "rows_out": _count(summary.get("rows_out")),
        "clock": cfg.clock.mode, "profile": cfg.env, "spark_master": cfg.spark.master,
        "host": socket.gethostname(), "dag_run_id": os.environ.get("AIRFLOW_CTX_DAG_RUN_ID"),
    }


def append(cfg: Config, row: dict[str, Any]) -> int | None:
    """Append ``row`` to ``ops.runs`` (one Delta commit, no Spark); the new table version."""
    from tailor.catalog import table
    from tailor.lakehouse import Lakehouse

    data = pa.Table.from_pylist([row], schema=table(RUNS_TABLE).arrow_schema)
    return Lakehouse(cfg).write_arrow(
        data, RUNS_TABLE, "append", partition_by=["ds"], commit_retries=COMMIT_RETRIES,
        metadata={"tailor.job": row["job"], "tailor.ds": row["ds"]}).version


def append_quietly(cfg: Config, row: dict[str, Any]) -> int | None:
    """:func:`append`, but a failure is a logged warning: recording never fails a job."""
    if not row:
        return None
    try:
        return append(cfg, row)
    except Exception as exc:  # noqa: BLE001 - any failure to record must leave the job alone
        log.warning("could not record %s %s (%s) in %s: %s: %s", row.get("task"), row.get("ds"),
                    row.get("status"), RUNS_TABLE, type(exc).__name__, exc)
        return None


def read_runs(cfg: Config, ds: str) -> list[dict[str, Any]]:
    """The ``ops.runs`` rows of ``ds`` (every execution, oldest first); [] if none."""
    from tailor.lakehouse import Lakehouse

    lh = Lakehouse(cfg)
    if not lh.exists(RUNS_TABLE):
        return []
    rows = lh.read_arrow(RUNS_TABLE, partitions={"ds": ds}).to_pylist()
    return sorted(rows, key=lambda r: r["started_at"])

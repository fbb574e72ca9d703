"""What every job gets: config, Spark, the lakehouse and the run's date, plus run records.

Every job module in ``jobs/`` has the same contract: ``run(ctx: JobContext) -> dict`` (the
summary), optional ``OPTIONS`` (job-specific command-line options beyond ``--ds``, which arrive
in ``ctx.options``), and ends with ``if __name__ == "__main__": main(run, JOB, OPTIONS)`` so it
works under spark-submit, ``tailor run JOB`` and Airflow alike. Spark and the lakehouse start
lazily, so jobs that never touch them (publish, validate, quality_report) start none. The
summary dict is printed as JSON and kept under ``runs/<ds>/<job>.json``; every execution also
appends a row to ``ops.runs`` (``tailor/runlog.py``), taking ``rows_in`` / ``rows_out`` from the
summary when the job states them.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Sequence

from tailor import credentials, runlog, spark_connect
from tailor.clock import day_end
from tailor.config import Config, get_config
from tailor.runlog import RunMeter


class JobError(RuntimeError):
    """A job failed for a reason its message fully explains (e.g. a breached data contract):
    the command line prints the message without a traceback and exits with status 1."""


@dataclass(frozen=True)
class JobOption:
    """A job-specific command-line option (``--table``), passed on as ``ctx.options[name]``."""

    flag: str
    help: str
    type: Callable[[str], Any] = str
    required: bool = False
    default: Any = None
    names_record: bool = False   # its value is part of the run record's name (validate_<table>)

    @property
    def name(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(self.flag, type=self.type, required=self.required,
                            default=self.default, help=self.help)


@dataclass
class JobContext:
    """Everything a job needs; Spark and the lakehouse start lazily (validate/publish skip them)."""

    cfg: Config
    ds: str
    job: str = "job"
    options: dict[str, Any] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # ops.runs.run_id under execute
    _spark: Any = field(default=None, repr=False)
    _lakehouse: Any = field(default=None, repr=False)

    def option(self, name: str, default: Any = None) -> Any:
        """A job option given on the command line (``None`` values count as not given)."""
        value = self.options.get(name)
        return default if value is None else value

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
            cfg: Config | None = None, spark: Any = None,
            options: dict[str, Any] | None = None, record_as: str | None = None) -> dict[str, Any]:
    """Run one job for ``ds`` and record it: the summary as ``runs/<ds>/<record_as or job>.json``
    and one row in ``ops.runs`` (status, wall and CPU seconds of the process tree, rows in/out;
    ``tailor/runlog.py``). A failed job is recorded as failed, then its exception propagates (the
    task fails); a failure to write the ``ops.runs`` row is only logged."""
    cfg = cfg or get_config()
    credentials.check(cfg, f"job {job}")
    date.fromisoformat(ds)  # fail fast on a malformed --ds
    meter = RunMeter.start(job, record_as or job, ds, also=spark_connect.charged_pids(cfg),
                           sample_s=cfg.cost.cpu_sample_seconds)
    ctx = JobContext(cfg=cfg, ds=ds, job=job, options=dict(options or {}), run_id=meter.run_id,
                     _spark=spark)
    try:
        summary = run(ctx) or {}
    except BaseException as exc:
        runlog.append_quietly(cfg, meter.finish(cfg, error=exc))
        raise
    row = meter.finish(cfg, summary=summary)
    summary = {"job": job, "ds": ds, "seconds": round(meter.wall_seconds(), 2),
               "cpu_seconds": row.get("cpu_seconds"), "run_id": meter.run_id, **summary}
    record_run(cfg, record_as or job, ds, summary)
    runlog.append_quietly(cfg, row)
    return summary


def record_name(job: str, options: Sequence[JobOption], values: dict[str, Any]) -> str:
    """``job`` plus the values of the options that name the record, e.g. ``validate_gold_decisions``."""
    parts = [job] + [str(values[o.name]) for o in options
                     if o.names_record and values.get(o.name) is not None]
    return re.sub(r"[^A-Za-z0-9]+", "_", "_".join(parts)).strip("_")


def job_parser(run: Callable[..., Any], options: Sequence[JobOption] = (),
               prog: str | None = None) -> argparse.ArgumentParser:
    """``--ds`` plus the job's own options; the description is the job module's docstring."""
    module = sys.modules.get(run.__module__)
    doc = (getattr(module, "__doc__", None) or run.__doc__ or "").strip()
    parser = argparse.ArgumentParser(prog=prog, description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ds", required=True, help="the run's date, YYYY-MM-DD (Airflow's {{ ds }})")
    for option in options:
        option.add_to(parser)
    return parser


def main(run: Callable[[JobContext], dict[str, Any]], job: str | None = None,
         options: Sequence[JobOption] = (), argv: list[str] | None = None) -> int:
    """spark-submit entry point: ``spark-submit jobs/ingest.py --ds 2026-10-15``."""
    name = job or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    args = vars(job_parser(run, options, prog=f"jobs/{name}.py").parse_args(argv))
    ds = args.pop("ds")
    try:
        summary = execute(name, run, ds, options=args, record_as=record_name(name, options, args))
    except JobError as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
    print(json.dumps(summary, indent=2, default=str))
    return 0

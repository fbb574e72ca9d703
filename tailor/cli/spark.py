"""``tailor spark start|stop|status``: one long-lived Spark (Spark Connect) for many jobs."""
from __future__ import annotations

import argparse
import json

from tailor.cli.services import service_parser

HELP = "start / stop / inspect the Spark Connect server jobs share (one JVM for many jobs)"
DESCRIPTION = """\
Every `tailor run JOB` starts its own Spark unless a Spark Connect server is up: then it opens
a session on that server instead (no JVM start-up: 10-15 s saved per job). `start` serves one on
127.0.0.1:<spark.connect.port> (15002) with the session settings of conf/ (spark.master,
driver_memory, shuffle_partitions, spark.conf) and records it in runs/spark-connect/server.json
(log: runs/spark-connect/server.log); `stop` ends it; `status` says whether one is up. The daily
DAG does start/stop around each run (spark.connect.per_run). spark-submit runs and jobs with
spark.remote set (a Connect server elsewhere) ignore the local server.

Examples:
  tailor spark start && tailor run features --ds 2026-10-15 && tailor run training_sets --ds 2026-10-15
  tailor spark status --json
  tailor spark stop
  tailor spark start --per-run        # what the DAG's first task runs: nothing if per_run is off
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = service_parser(subparsers, "spark", HELP, DESCRIPTION, run)
    p.add_argument("--per-run", action="store_true",
                   help="start/stop only if spark.connect.per_run is on (the DAG's tasks)")


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tailor import spark_connect
    from tailor.config import get_config

    cfg = get_config()
    if args.per_run and (not cfg.spark.connect.per_run or cfg.spark.remote):
        why = (f"spark.remote is {cfg.spark.remote}" if cfg.spark.remote
               else "spark.connect.per_run is off")
        print(f"no per-run Spark Connect server ({why}): each job uses its own Spark")
        return 0
    if args.action == "start":
        try:
            server, started = spark_connect.start(cfg)
        except spark_connect.SparkConnectError as exc:
            print(f"tailor spark start: {exc}")
            return 1
        print(f"Spark Connect server {'started' if started else 'already up'} at {server.url} "
              f"(pid {server.pid}, log {server.log}); jobs on this project now share it")
        return 0
    if args.action == "stop":
        stopped = spark_connect.stop(cfg)
        print(f"stopped the Spark Connect server at {stopped.url} (pid {stopped.pid})" if stopped
              else "no Spark Connect server was running for this project")
        return 0
    server = spark_connect.live(cfg)
    if args.json:
        print(json.dumps({"up": server is not None, **(asdict(server) if server else {}),
                          "remote": cfg.spark.remote or None}))
    elif server:
        print(f"up at {server.url} since {server.started_at} (pid {server.pid}, log {server.log})")
    else:
        print("no Spark Connect server is up for this project: each job starts its own Spark"
              + (f" (spark.remote {cfg.spark.remote} is used instead)" if cfg.spark.remote else ""))
    return 0 if server or cfg.spark.remote else 3

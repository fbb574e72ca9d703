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

`archive` builds the class archive of this JDK and Spark installation (class-data sharing: the
JVMs Tailor starts map Spark's ~25,000 classes from it instead of loading each from its jar;
server start 5.1 -> 3.6 s, a run's first job 12 -> 4.4 CPU-s of class loading). `make install`
runs it; it takes about a minute and keeps ~200 MB in <python environment>/var/tailor/. It is a
no-op while the archive is current (--force: build it again); an upgrade of Java or pyspark
needs a new one. spark.class_archive: false turns it off.

Examples:
  tailor spark start && tailor run features --ds 2026-10-15 && tailor run training_sets --ds 2026-10-15
  tailor spark status --json
  tailor spark stop
  tailor spark start --per-run        # what the DAG's first task runs: nothing if per_run is off
  tailor spark archive                # once per Java / pyspark installation (make install)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = service_parser(subparsers, "spark", HELP, DESCRIPTION, run, more_actions=("archive",))
    p.add_argument("--per-run", action="store_true",
                   help="start/stop only if spark.connect.per_run is on (the DAG's tasks)")
    p.add_argument("--force", action="store_true",
                   help="archive: build it again even if the current one exists")


def _archive(args: argparse.Namespace) -> int:
    from tailor import spark_classes
    from tailor.config import get_config

    cfg = get_config()
    try:
        built = spark_classes.build(cfg, force=args.force,
                                    say=lambda text: print(text, flush=True))
    except (spark_classes.ClassArchiveError, RuntimeError, OSError) as exc:
        print(f"tailor spark archive: {exc}. Spark still works without it (each JVM loads its "
              f"classes from the jars).")
        return 1
    if not built.new:
        print(f"class archive of this Java and Spark: {built.path} (current; --force to rebuild)")
        return 0
    replaced = f"; replaced {', '.join(built.removed)}" if built.removed else ""
    print(f"class archive: {built.path} ({built.size_mb:.0f} MB, {built.seconds:.0f} s{replaced}); "
          f"Spark JVMs started from now on map it"
          + ("" if cfg.spark.class_archive else " once spark.class_archive is on"))
    return 0


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tailor import spark_connect
    from tailor.config import get_config
    from tailor.spark_classes import in_use

    if args.action == "archive":
        return _archive(args)
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
    archive = in_use(cfg)
    if args.json:
        print(json.dumps({"up": server is not None, **(asdict(server) if server else {}),
                          "remote": cfg.spark.remote or None,
                          "class_archive": str(archive) if archive else None}))
        return 0 if server or cfg.spark.remote else 3
    print("class archive: " + (str(archive) if archive else
                               "none (`tailor spark archive` makes JVM start-up faster)"
                               if cfg.spark.class_archive else "off (spark.class_archive)"))
    if server:
        print(f"up at {server.url} since {server.started_at} (pid {server.pid}, log {server.log})")
    else:
        print("no Spark Connect server is up for this project: each job starts its own Spark"
              + (f" (spark.remote {cfg.spark.remote} is used instead)" if cfg.spark.remote else ""))
    return 0 if server or cfg.spark.remote else 3

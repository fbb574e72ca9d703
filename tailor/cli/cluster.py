"""``tailor cluster start|stop|status``: a Spark standalone cluster on this machine."""
from __future__ import annotations

import argparse
import json

from tailor.cli.services import service_parser

HELP = "start / stop / inspect a local Spark standalone cluster (a master and N workers)"
DESCRIPTION = """\
Starts a real Spark standalone cluster from the pyspark wheel, bound to 127.0.0.1: a master
(spark://127.0.0.1:7077, status page http://127.0.0.1:8090) and --workers workers of --cores
cores and --memory each, recorded in runs/spark-cluster/cluster.json (logs beside it). With
TAILOR_ENV=standalone (conf/standalone.yaml) every job — and the DAG's shared Spark Connect
server — runs its executors in those workers: the code path of a remote cluster, on one machine.

Examples:
  tailor cluster start                       # what `make cluster` runs: 2 workers x 1 core, 3g
  TAILOR_ENV=standalone make demo            # the daily DAG on the cluster
  tailor cluster status --json
  tailor cluster stop                        # what `make cluster-stop` runs
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = service_parser(subparsers, "cluster", HELP, DESCRIPTION, run)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--cores", type=int, default=1, help="cores per worker")
    p.add_argument("--memory", default="3g", help="memory per worker (executors live in it)")
    p.add_argument("--port", type=int, default=7077, help="the master's port")
    p.add_argument("--ui-port", type=int, default=8090, help="the master's status page")


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tailor import spark_cluster
    from tailor.config import get_config

    cfg = get_config()
    if args.action == "start":
        try:
            cluster, started = spark_cluster.start(cfg, args.workers, args.cores, args.memory,
                                                   args.port, args.ui_port)
        except spark_cluster.ClusterError as exc:
            print(f"tailor cluster start: {exc}")
            return 1
        print(f"Spark standalone cluster {'started' if started else 'already up'}: "
              f"{cluster.master_url} ({spark_cluster.alive_workers(cluster.ui_url)} workers; "
              f"status {cluster.ui_url}); run jobs on it with TAILOR_ENV=standalone")
        return 0
    if args.action == "stop":
        stopped = spark_cluster.stop(cfg)
        print(f"stopped the cluster at {stopped.master_url}" if stopped
              else "no cluster was recorded for this project")
        return 0
    cluster = spark_cluster.recorded(cfg)
    workers = spark_cluster.alive_workers(cluster.ui_url) if cluster else 0
    if args.json:
        print(json.dumps({"up": workers > 0, "workers": workers,
                          **(asdict(cluster) if cluster else {})}))
    else:
        print(f"{cluster.master_url}: {workers} workers alive (status {cluster.ui_url})"
              if cluster and workers else "no cluster is up for this project")
    return 0 if workers else 3

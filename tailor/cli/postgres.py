"""``tailor postgres start|stop|status``: a local PostgreSQL for Airflow's and MLflow's stores."""
from __future__ import annotations

import argparse
import json

from tailor.cli.services import service_parser

HELP = "start / stop / inspect a local PostgreSQL for the metadata stores (Airflow, MLflow)"
DESCRIPTION = """\
SQLite is the zero-setup default for Airflow's metadata DB and MLflow's tracking store. For
parallel tasks (Airflow's LocalExecutor) and a production-like setup, `start` runs a PostgreSQL
server from Debian's postgresql package: initialised into postgres.data_dir (default
runs/postgres/data) the first time, on 127.0.0.1:<postgres.port> (5433) only, with one
database per store (postgres.databases: airflow, mlflow). conf/standalone.yaml points Airflow
(airflow.metadata_db, airflow.executor: local) and MLflow (paths.mlflow_tracking_uri) at it;
`make cluster` starts it beside the Spark cluster. `stop` ends the server, keeping its data.

Examples:
  tailor postgres start                      # what `make cluster` runs
  TAILOR_ENV=standalone make demo            # the DAG with parallel tasks, stores on PostgreSQL
  tailor postgres status --json
  tailor postgres stop
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    service_parser(subparsers, "postgres", HELP, DESCRIPTION, run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tailor import postgres
    from tailor.config import get_config

    cfg = get_config()
    pg = postgres.server(cfg)
    try:
        if args.action == "start":
            pg, started = postgres.start(cfg)
            print(f"PostgreSQL {'started' if started else 'already up'} on {pg.host}:{pg.port} "
                  f"(data {pg.data_dir}, log {pg.log}); databases: "
                  + ", ".join(pg.url(db) for db in cfg.postgres.databases))
            return 0
        if args.action == "stop":
            stopped = postgres.stop(cfg)
            print(f"stopped PostgreSQL on {pg.host}:{pg.port}" if stopped
                  else f"no PostgreSQL of this project was running (data {pg.data_dir})")
            return 0
    except postgres.PostgresError as exc:
        print(f"tailor postgres {args.action}: {exc}")
        return 1
    up = postgres.is_up(pg)
    if args.json:
        print(json.dumps({"up": up, **asdict(pg)}))
    else:
        print(f"PostgreSQL up on {pg.host}:{pg.port} (data {pg.data_dir})" if up
              else f"no PostgreSQL answers on {pg.host}:{pg.port}")
    return 0 if up else 3

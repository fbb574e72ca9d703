"""``tailor host start|stop|status``: one warm Python for many jobs (the job host)."""
from __future__ import annotations

import argparse
import json

from tailor.cli.services import service_parser

HELP = "start / stop / inspect the job host (libraries imported once, a fork per `tailor run`)"
DESCRIPTION = """\
Every `tailor run JOB` is a new Python that imports its libraries before any work: 1-4 s per job
(MLflow, xgboost, scikit-learn, Great Expectations, pandas). `start` imports them once
(jobhost.preload) in a host process listening on a Unix socket of this user
(runs/jobhost/host.sock; log runs/jobhost/host.log); while it is up, `tailor run` hands its
command to the host, which forks a child that runs it with the caller's arguments, environment,
working directory and stdin/stdout/stderr, and exits with its status (signals are passed on; a
caller killed takes its job with it). A caller whose environment differs from the host's runs the
job itself and says which variables differ. `stop`: the host takes no more jobs and exits after
those it runs; `status` says whether one is up. The daily DAG does start/stop around each run
(jobhost.per_run).

Examples:
  tailor host start && tailor run drift --ds 2026-10-15 \
    && tailor run validate --table 'training.*' --ds 2026-10-15
  tailor host status --json
  tailor host stop
  tailor host start --per-run --no-wait   # the DAG's first task: launch, start Spark meanwhile,
  tailor host start --per-run             # then wait until the host listens
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = service_parser(subparsers, "host", HELP, DESCRIPTION, run)
    p.add_argument("--per-run", action="store_true",
                   help="start/stop only if jobhost.per_run is on (the DAG's tasks)")
    p.add_argument("--no-wait", action="store_true",
                   help="start: return once launched; jobs run in their own process until the "
                        "host listens")


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tailor.cli import ENVIRONMENT
    from tailor.config import get_config
    from tailor.jobhost import service

    cfg = get_config()
    if args.per_run and not cfg.jobhost.per_run:
        print("no per-run job host (jobhost.per_run is off): each job imports its own libraries")
        return 0
    if args.action == "start":
        try:
            host, started = service.start(cfg, wait=not args.no_wait, env=ENVIRONMENT)
        except service.JobHostError as exc:
            print(f"tailor host start: {exc}")
            return 1
        state = (("launched" if args.no_wait else "started") if started
                 else "already up" if args.no_wait else "up")
        print(f"job host {state} (pid {host.pid}, socket {host.socket}, log {host.log}); "
              "`tailor run` on this project now forks from it")
        return 0
    if args.action == "stop":
        host, gone = service.stop(cfg)
        if host is None:
            print("no job host was running for this project")
        elif gone:
            print(f"stopped the job host (pid {host.pid})")
        else:
            print(f"the job host (pid {host.pid}) takes no more jobs and exits after the ones "
                  f"it runs (log {host.log})")
        return 0
    host = service.live(cfg)
    if args.json:
        print(json.dumps({"up": host is not None, **(asdict(host) if host else {})}))
    elif host:
        print(f"up since {host.started_at} (pid {host.pid}, socket {host.socket}, log {host.log})")
    else:
        print("no job host is up for this project: each `tailor run` imports its own libraries")
    return 0 if host else 3

"""``tailor cost --ds D``: what the daily run of D cost, per job and per 1,000 decisions."""
from __future__ import annotations

import argparse
import json

HELP = "what a day's run cost: CPU per job (ops.runs) and cost per 1,000 decisions"
DESCRIPTION = """\
Every job execution appends a row to ops.runs: wall seconds and the CPU-seconds of its whole
process tree (the Python driver, Spark's JVM, its Python workers). This sums the CPU of every
execution recorded for --ds (retries and reruns included: they were paid for), prices it at
cost.price_per_core_hour (conf/base.yaml says where the default comes from) and divides by the
decisions the decide job wrote into gold.decisions for that day:

  cost per 1,000 decisions = CPU-hours x price per core-hour / decisions x 1000

Examples:
  tailor cost --ds 2026-10-15
  tailor cost --ds 2026-10-15 --json
  TAILOR__COST__PRICE_PER_CORE_HOUR=0.041 tailor cost --ds 2026-10-15   # another price
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("cost", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ds", required=True, help="the run's date, YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from tailor.config import get_config
    from tailor.evaluation.cost import cost_of_day

    date.fromisoformat(args.ds)
    cost = cost_of_day(get_config(), args.ds)
    if args.json:
        print(json.dumps(cost.as_dict(), indent=2))
        return 0
    if not cost.executions:
        print(f"no job executions recorded in ops.runs for {args.ds}: run the pipeline for that "
              f"day first (every `tailor run JOB --ds {args.ds}` records one)")
        return 1
    width = max(len(t) for t in cost.cpu_by_task)
    for task, cpu in cost.cpu_by_task.items():
        print(f"  {task:<{width}}  {cpu:9.1f} CPU-s")
    if cost.unmeasured:
        print(f"  ({cost.unmeasured} executions have no CPU figure: their measurement failed)")
    print(cost.summary_line())
    return 0

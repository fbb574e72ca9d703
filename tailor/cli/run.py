"""``tailor run JOB --ds YYYY-MM-DD``: run one pipeline step exactly as Airflow does."""
from __future__ import annotations

import argparse
import importlib
import json
import re

JOBS = {
    "ingest": "landing JSON-lines -> bronze.events (+ bronze.quarantine, ops.ingest_log)",
    "identity": "bronze.events -> silver.identity_map + silver.events (pseudonymous person ids)",
    "quality_report": "quarantine rates per reason for ds -> ops.quality",
    "features": "silver.events -> features.<group>_v<N> as of ds and every training cutoff",
    "drift": "PSI of today's features vs the champions' training sets -> ops.feature_drift",
    "training_sets": "labels after each cutoff point-in-time joined to features -> training.*",
    "train": "training.* -> XGBoost models in MLflow; champion alias behind the gate",
    "score": "champion models -> gold.user_scores + gold.recommendations",
    "decide": "scores + consent + action bank -> gold.decisions",
    "validate": "data contracts of --table (a table, a,b, features.* or all) for ds",
    "publish": "gold.decisions for ds -> immutable serving snapshot; CURRENT points at it",
    "nearline_ingest": "nearline: new landing files -> bronze (Structured Streaming, exactly once)",
    "overlay": "nearline: consent revocations, message counts, items bought -> gold.overlay",
    "behaviour_refresh": "nearline: the short-lived behaviour group as of now",
}

# Jobs without Spark: run(ds, cfg) instead of run(JobContext).
PLAIN = {"publish", "quality_report"}


# Job name -> module in jobs/ where they differ: a jobs/features.py would shadow the `features`
# package for every job started as a script (spark-submit puts jobs/ first on sys.path).
MODULES = {"features": "materialize_features"}


def register(sub: argparse._SubParsersAction) -> None:
    epilog = "jobs:\n" + "\n".join(f"  {k:<14} {v}" for k, v in JOBS.items())
    epilog += ("\n\nexamples:\n  tailor run ingest --ds 2026-10-15\n"
               "  tailor run validate --table gold.decisions --ds 2026-10-15")
    p = sub.add_parser("run", help="run one pipeline job for a day",
                       description="Run one pipeline job for the day --ds (idempotent: rerunning "
                                   "a day replaces that day's output).",
                       epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("job", choices=sorted(JOBS), metavar="JOB", help="one of: " + ", ".join(JOBS))
    p.add_argument("--ds", required=True, help="the day to run for, YYYY-MM-DD (Airflow's {{ ds }})")
    p.add_argument("--table", help="validate only: the table whose contract to check")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tailor import credentials
    from tailor.config import get_config
    from tailor.runtime import record_run

    cfg = get_config()
    credentials.check(cfg, f"job {args.job}")
    module = importlib.import_module(f"jobs.{MODULES.get(args.job, args.job)}")
    if args.job == "validate":
        if not args.table:
            raise SystemExit("tailor run validate needs --table, e.g. --table bronze.events")
        summary = module.run(args.table, args.ds, cfg)
        name = re.sub(r"[^A-Za-z0-9]+", "_", args.table).strip("_")
        record_run(cfg, f"validate_{name}", args.ds, summary)
    elif args.job in PLAIN:
        summary = module.run(args.ds, cfg)
        record_run(cfg, args.job, args.ds, summary)
    else:
        from tailor.runtime import execute

        summary = execute(args.job, module.run, args.ds, cfg=cfg)
    print(json.dumps(summary, indent=2, default=str))
    return 0

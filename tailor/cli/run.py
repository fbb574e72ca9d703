"""``tailor run JOB --ds YYYY-MM-DD``: run one pipeline step exactly as Airflow does."""
from __future__ import annotations

import argparse
import importlib
import json
import sys

JOBS = {
    "ingest": "landing JSON-lines -> bronze.events (+ bronze.quarantine, ops.ingest_log)",
    "identity": "bronze.events -> silver.identity_map + silver.events (pseudonymous person ids)",
    "quality_report": "quarantine rates per reason for ds -> ops.quality",
    "features": "silver.events -> features.<group>_v<N> as of ds and every training cutoff",
    "drift": "PSI of today's features vs the champions' training sets -> ops.feature_drift",
    "training_sets": "labels after each cutoff point-in-time joined to features -> training.*",
    "policy_outcomes": "logged decisions + attributed outcomes + features then -> training.policy",
    "train": "training.* -> XGBoost models in MLflow; champion alias behind the gate",
    "train_policy": "training.policy -> challenger policy, OPE vs champion -> ops.policy_gate, MLflow",
    "score": "champion models -> gold.user_scores + gold.recommendations",
    "decide": "scores + consent + the serving policy -> gold.decisions (+ gold.shadow_decisions)",
    "policy_report": "ops.policy_gate, ops.incrementality, ops.runs -> runs/<ds>/reports/policy.html",
    "incrementality": "past decision days with a complete window: treated vs holdout -> ops.incrementality",
    "validate": "data contracts of --table (a table, a,b, features.* or all) for ds",
    "publish": "gold.decisions for ds -> immutable serving snapshot; CURRENT points at it",
    "nearline_ingest": "nearline: new landing files -> bronze (Structured Streaming, exactly once)",
    "overlay": "nearline: consent revocations, message counts, items bought -> gold.overlay",
    "behaviour_refresh": "nearline: the short-lived behaviour group as of now",
    "maintenance": "compact small files, VACUUM past the retention, checkpoint -> ops.maintenance",
}

# Job name -> module in jobs/ where they differ: a jobs/features.py would shadow the `features`
# package for every job started as a script (spark-submit puts jobs/ first on sys.path).
MODULES = {"features": "materialize_features"}


def register(sub: argparse._SubParsersAction) -> None:
    epilog = "jobs:\n" + "\n".join(f"  {k:<14} {v}" for k, v in JOBS.items())
    epilog += ("\n\njob options (after the job name; `tailor run JOB --help` lists them):\n"
               "  validate  --table T [--no-data-docs]\n  publish   --version V\n"
               "  maintenance [--table T]\n"
               "\nexamples:\n  tailor run ingest --ds 2026-10-15\n"
               "  tailor run validate --table gold.decisions --ds 2026-10-15")
    p = sub.add_parser("run", help="run one pipeline job for a day",
                       description="Run one pipeline job for the day --ds (idempotent: rerunning "
                                   "a day replaces that day's output).",
                       epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
                       add_help=False)
    p.add_argument("job", choices=sorted(JOBS), metavar="JOB", nargs="?",
                   help="one of: " + ", ".join(JOBS))
    p.add_argument("-h", "--help", action="store_true", help="this help, or a job's own options")
    p.set_defaults(func=run, parser=p)


def job_module(job: str):
    """The module in jobs/ (installed as tailor.jobs) that runs ``job``."""
    return importlib.import_module(f"tailor.jobs.{MODULES.get(job, job)}")


def run(args: argparse.Namespace) -> int:
    from tailor.credentials import CredentialsError
    from tailor.runtime import JobError, execute, job_parser, record_name

    if args.job is None:
        args.parser.print_help()
        return 0 if args.help else 2
    module = job_module(args.job)
    options = getattr(module, "OPTIONS", ())
    parser = job_parser(module.run, options, prog=f"tailor run {args.job}")
    if args.help:
        parser.print_help()
        return 0
    values = vars(parser.parse_args(args.rest))
    ds = values.pop("ds")
    try:
        summary = execute(args.job, module.run, ds, options=values,
                          record_as=record_name(args.job, options, values))
    except JobError as exc:
        print(exc, file=sys.stderr)
        return 1
    except CredentialsError as exc:  # secrets the profile refuses: the message says what to set
        print(f"tailor run {args.job}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2, default=str))
    return 0

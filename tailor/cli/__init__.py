"""The ``tailor`` command line. Each sub-command lives in its own module in this package and
exposes ``register(subparsers)``; this file only assembles them."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

# The environment this command started with, before the libraries a command imports set their
# own variables (polars, MLflow, xgboost do): what a job host compares and passes on.
ENVIRONMENT = dict(os.environ)

# module name in tailor.cli -> registered in this order in --help
COMMANDS = ("simulate", "importing", "run", "tables", "features", "sql", "serve", "publish", "cost",
            "models", "spark", "host", "cluster", "postgres")

DESCRIPTION = """\
Tailor: every customer their own decision-maker.

Typical flow on one machine:
  tailor simulate --users 3000 --days 45 --out .   # a deterministic demo world -> ./landing
  tailor import cdnow                               # or real data: CDNOW purchases -> ./landing
  tailor run ingest --ds 2026-10-15                 # one pipeline step (as Airflow runs it)
  tailor features list                              # the feature registry
  tailor sql "SELECT action_id, count(*) FROM gold.decisions GROUP BY 1"
  tailor serve                                      # HTTP lookup server on 127.0.0.1:8730
  tailor models list                                # MLflow models: champion, challenger, metrics

Configuration: conf/base.yaml + conf/$TAILOR_ENV.yaml; override one value with
TAILOR__SECTION__KEY=value (e.g. TAILOR__SPARK__MASTER=local[4]).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tailor", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"tailor.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"tailor.cli.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None, *, host: bool = True) -> int:
    """The ``tailor`` command. A ``tailor run`` goes to the project's job host when one is up
    (``tailor host start``; :func:`tailor.jobhost.service.run_on_host`), which runs this same
    function with ``host=False`` in a child it forks; otherwise, it runs here."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if host and argv[:1] == ["run"]:
        from tailor.jobhost.service import run_on_host

        code = run_on_host(argv, ENVIRONMENT)
        if code is not None:
            return code
    from tailor.config import ConfigError  # (not before: a job handed to a host loads no config)

    parser = build_parser()
    # `tailor run JOB` passes everything after the job name on to the job's own parser
    args, rest = parser.parse_known_args(argv)
    if rest and getattr(args, "command", None) != "run":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.rest = rest
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except ConfigError as exc:  # bad configuration or secrets: the message says what to do
        print(f"tailor: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

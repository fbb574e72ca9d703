"""``tailor publish``: compile one day of gold.decisions into a served snapshot."""
from __future__ import annotations

import argparse
import json
import sys

HELP = "publish one ds of gold.decisions as the served snapshot"
DESCRIPTION = """\
Compile the gold.decisions rows of one day (--ds) into an immutable snapshot under
<paths.serving>/snapshots/<id>/ (lookup file + manifest with checksums and lineage), verify
it, then atomically point <paths.serving>/CURRENT at it. A running `tailor serve` switches to
it within about a second. The previous serving.keep_snapshots snapshots are kept for
`tailor serve rollback`. Prints rows, bytes and the time of each phase (read, build, verify).

Examples:
  tailor publish --ds 2026-10-15               # latest table version
  tailor publish --ds 2026-10-15 --version 12  # an older, approved table version
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("publish", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ds", required=True, metavar="YYYY-MM-DD",
                   help="decision day (the ds partition of gold.decisions) to publish")
    p.add_argument("--version", type=int, metavar="N",
                   help="gold.decisions Delta version to read (default: latest)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tailor.config import get_config
    from tailor.jobs.publish import run as publish
    from tailor.runtime import JobContext

    try:
        summary = publish(JobContext(get_config(), args.ds, "publish", {"version": args.version}))
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"tailor publish: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0

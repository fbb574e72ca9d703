"""60-second soak of the lookup server: load with 5% malformed requests while a snapshot is
published (swap), rolled back through the admin API and a corrupt one is forced onto CURRENT.

    python bench/serve_soak.py                       # 1M users, 60 s, 32 connections
    python bench/serve_soak.py --users 200000 --seconds 30

Every answer is read and checked (tests/support/soak.py): zero 5xx, zero failed
well-formed requests, every malformed request a 4xx with a JSON error, the swap seen, the
rollback served, the corrupt snapshot refused, every served decision in the decision log (and
valid per tailor.events), a clean SIGTERM exit. Prints the figures, writes
bench/results/serve_soak.json, exits 1 if a check failed. The load generator is a correctness
tool (Python asyncio), so its requests/s are far below what the server can do (see
bench/serve.py for throughput).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.soak import soak  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--malformed-share", type=float, default=0.05)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tailor-soak-"))
    try:
        summary = soak(str(work), users=args.users, seconds=args.seconds,
                       connections=args.connections, malformed_share=args.malformed_share)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    out = REPO / "bench" / "results" / "serve_soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2, default=str))
    keys = ("users", "seconds", "requests", "rps", "well_formed", "well_formed_failed",
            "malformed", "malformed_share", "malformed_not_4xx", "server_errors_5xx",
            "connection_errors", "p50_ms", "p99_ms", "decisions_served", "decisions_logged")
    for key in keys:
        print(f"{key:22s} {summary.get(key)}")
    for action in summary.get("actions", []):
        print(f"action {action['name']!r} at {action['at']} s took {action['seconds']} s"
              + (f" ERROR {action['error']}" if "error" in action else ""))
    for name, passed in summary["checks"].items():
        print(f"check {name:24s} {'ok' if passed else 'FAILED'}")
    print(f"wrote {out}")
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

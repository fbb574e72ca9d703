"""``tailor serve``: run the HTTP lookup server on the published snapshot."""
from __future__ import annotations

import argparse
import logging
import sys

HELP = "run the HTTP lookup server on the published decision snapshot"
DESCRIPTION = """\
Serve precomputed decisions over HTTP from the snapshot CURRENT points at
(<paths.serving>/CURRENT, written by `tailor publish`).

Routes:
  GET /v1/decisions/{user_id}  the user's decision; user_id is your customer id in the clear
                               (the server pseudonymises it with privacy.pseudonym_key).
                               Unknown users get the fallback (popular items, no message)
                               with "known": false.
  GET /healthz                 {"status": "ok", "snapshot_id": ...}

Publishing a new snapshot while the server runs is picked up within about a second (or at
once on SIGHUP); a snapshot that fails verification is refused and the current one keeps
serving. SIGTERM / Ctrl-C stop the server cleanly.

Examples:
  tailor publish --ds 2026-10-15 && tailor serve
  tailor serve --port 0                     # any free port; the chosen one is printed
  curl -s localhost:8730/v1/decisions/c-000042
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", help="interface to bind (default: serving.host, 127.0.0.1; "
                                  "use 0.0.0.0 only behind a trusted network boundary)")
    p.add_argument("--port", type=int, help="TCP port (default: serving.port, 8730; 0 = pick a "
                                            "free port and print it)")
    p.add_argument("--snapshot-dir", metavar="DIR",
                   help="serving directory holding CURRENT and snapshots/ (default: "
                        "paths.serving)")
    p.add_argument("--reload-interval", type=float, default=1.0, metavar="SECONDS",
                   help="how often CURRENT is re-read for a newly published snapshot "
                        "(default: %(default)s)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tailor.config import get_config
    from tailor.serving.server import ServerSettings, run_forever
    from tailor.serving.snapshot import SnapshotError

    cfg = get_config()
    settings = ServerSettings(
        serving_dir=args.snapshot_dir or cfg.serving_dir,
        pseudonym_key=cfg.privacy.pseudonym_key,
        person_id_length=cfg.privacy.person_id_length,
        host=args.host or cfg.serving.host,
        port=cfg.serving.port if args.port is None else args.port,
        reload_interval=args.reload_interval)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def ready(host: str, port: int, snapshot_id: str) -> None:
        print(f"tailor serve: snapshot {snapshot_id} on http://{host}:{port} "
              f"(Ctrl-C to stop)", flush=True)

    try:
        run_forever(settings, on_ready=ready)
    except SnapshotError as exc:
        print(f"tailor serve: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tailor serve: cannot listen on {settings.host}:{settings.port}: {exc}",
              file=sys.stderr)
        return 1
    print("tailor serve: stopped", flush=True)
    return 0

"""``tailor serve``: run the HTTP lookup server; ``tailor serve rollback|status`` manage snapshots."""
from __future__ import annotations

import argparse
import json
import logging
import sys

HELP = "run the HTTP lookup server on the published decision snapshot (or roll back)"
DESCRIPTION = """\
Serve precomputed decisions over HTTP from the snapshot CURRENT points at
(<paths.serving>/CURRENT, written by `tailor publish`), with the nearline overlay
(nearline.overlay_table) applied per request, every served decision logged and POSTed events
landed in <paths.landing>/server/ (serving.landing_dir).

Routes (the full contract: GET /openapi.json):
  GET  /v1/decisions/{user_id}?surface=&channel=&k=   the user's decision (customer id in the
                                                      clear; pseudonymised by the server)
  POST /v1/decisions:batch     {"user_ids": [...], "surface"?, "channel"?, "k"?}
  POST /v1/events              events (API key: serving.api_keys.events)
  GET  /healthz  /readyz  /metrics  /openapi.json
  GET  /v1/admin/snapshots   POST /v1/admin/reload   POST /v1/admin/rollback   (admin key)

A newly published snapshot is picked up within serving.reload_interval_seconds (at once on
SIGHUP); one that fails verification is refused and the current one keeps serving. Every
record read is checked against its checksum and the served snapshot is re-verified every
serving.verify_interval_seconds: damage found while serving answers 503, turns /readyz 503
and rolls CURRENT back to the previously published snapshot.

Limits (serving.* in conf/base.yaml): head 64 KiB (431), body 1 MiB (413), a request's head
within 10 s and its body within 30 s (408), idle keep-alive 75 s, at most
serving.connections.max connections (503 + Retry-After past it; lowered to fit the open-file
limit, `ulimit -n`, minus serving.connections.fd_reserve).
SIGTERM / Ctrl-C stop the server cleanly (landing files are closed and handed to ingest).

Actions:
  tailor serve [run]                 run the server (default)
  tailor serve rollback [--to ID]    point CURRENT back at the previously published snapshot
                                     (a running server switches within a second)
  tailor serve status                CURRENT, the publish/rollback stack and the snapshots

Examples:
  tailor publish --ds 2026-10-15 && tailor serve
  tailor serve --port 0                     # any free port; the chosen one is printed
  curl -s localhost:8730/v1/decisions/c-000042?k=3
  tailor serve rollback
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", nargs="?", default="run", choices=("run", "rollback", "status"),
                   help="run the server (default), roll back, or show snapshot status")
    p.add_argument("--host", help="interface to bind (default: serving.host, 127.0.0.1; "
                                  "use 0.0.0.0 only behind a trusted network boundary)")
    p.add_argument("--port", type=int, help="TCP port (default: serving.port, 8730; 0 = pick a "
                                            "free port and print it)")
    p.add_argument("--snapshot-dir", metavar="DIR",
                   help="serving directory holding CURRENT and snapshots/ (default: "
                        "paths.serving)")
    p.add_argument("--reload-interval", type=float, metavar="SECONDS",
                   help="how often CURRENT is re-read (default: "
                        "serving.reload_interval_seconds)")
    p.add_argument("--to", metavar="SNAPSHOT_ID",
                   help="rollback: this snapshot instead of the previously published one")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tailor.config import get_config

    cfg = get_config()
    serving_dir = args.snapshot_dir or cfg.serving_dir
    if args.action == "rollback":
        return _rollback(serving_dir, args.to)
    if args.action == "status":
        return _status(serving_dir)
    return _serve(cfg, args, serving_dir)


def _rollback(serving_dir: str, to: str | None) -> int:
    from tailor.serving.snapshot import SnapshotError, rollback

    try:
        previous, target, skipped = rollback(serving_dir, to)
    except SnapshotError as exc:
        print(f"tailor serve rollback: {exc}", file=sys.stderr)
        return 1
    for note in skipped:
        print(f"tailor serve rollback: skipped {note}", file=sys.stderr)
    print(f"tailor serve rollback: CURRENT {previous} -> {target} (running servers switch "
          f"within their reload interval)")
    return 0


def _status(serving_dir: str) -> int:
    from tailor.serving.snapshot import list_snapshots, read_current, served_stack

    print(json.dumps({"current": read_current(serving_dir), "stack": served_stack(serving_dir),
                      "snapshots": list_snapshots(serving_dir)}, indent=2))
    return 0


def _serve(cfg, args: argparse.Namespace, serving_dir: str) -> int:
    from tailor.serving.server import ServerSettings, run_forever
    from tailor.serving.snapshot import SnapshotError

    overrides = {"serving_dir": serving_dir}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.reload_interval is not None:
        overrides["reload_interval"] = args.reload_interval
    try:
        settings = ServerSettings.from_config(cfg, **overrides)
    except ValueError as exc:
        print(f"tailor serve: {exc}", file=sys.stderr)
        return 2
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
        print(f"tailor serve: cannot start on {settings.host}:{settings.port} (landing "
              f"{settings.landing_dir}): {exc}", file=sys.stderr)
        return 1
    print("tailor serve: stopped", flush=True)
    return 0

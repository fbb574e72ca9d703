"""``tailor features list | describe GROUP | lock``: the feature registry from the command line."""
from __future__ import annotations

import argparse
import sys

HELP = "list, describe and lock the registered feature groups"
DESCRIPTION = """\
The feature groups declared in features/registry.py, materialised by the features job as
features.<group>_v<version> (partitioned by ds).

  list              one line per group: name, version, entity, ttl, owner, table, latest
                    Delta version of its table (- if never written)
  describe GROUP    everything about a group: metadata, sources, fills, fingerprint and the
                    code it covers, and — if materialised — columns, types and partitions
  lock              record every group's current fingerprint in features/fingerprints.json.
                    Refuses to change the fingerprint of an already-locked version: change a
                    group's logic → bump its version in features/registry.py → lock.

Examples:
  tailor features list
  tailor features describe channel
  tailor features lock
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("features", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="features_command", metavar="ACTION")
    ls = sub.add_parser("list", help="one line per feature group")
    ls.set_defaults(func=run_list)
    desc = sub.add_parser("describe", help="everything about one group")
    desc.add_argument("group", help="group name, e.g. profile (see `tailor features list`)")
    desc.set_defaults(func=run_describe)
    lk = sub.add_parser("lock", help="record fingerprints in features/fingerprints.json")
    lk.add_argument("--force", action="store_true",
                    help="also overwrite the fingerprint of an already-locked version (only for "
                         "a refactor that provably changes no value)")
    lk.set_defaults(func=run_lock)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _lakehouse():
    """A Spark-free lakehouse handle (versions and schemas come from the Delta log)."""
    from tailor.config import get_config
    from tailor.lakehouse import Lakehouse

    return Lakehouse(get_config())


def _table_version(lh, table: str):
    try:
        return lh.version(table)
    except Exception:  # noqa: BLE001 - unreadable log / remote store offline: list still works
        return None


def run_list(args: argparse.Namespace) -> int:
    from tailor.features.registry import GROUPS, read_lock

    lh = _lakehouse()
    locked = read_lock()
    header = ("group", "version", "entity", "ttl", "fresh", "owner", "table", "delta", "locked")
    rows = []
    for g in GROUPS.values():
        v = _table_version(lh, g.table)
        ok = locked.get(g.name, {}).get(str(g.version)) == g.fingerprint()
        rows.append((g.name, f"v{g.version}", g.entity, f"{g.ttl_days}d", g.freshness, g.owner,
                     g.table, "-" if v is None else str(v), "yes" if ok else "NO"))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0


def run_describe(args: argparse.Namespace) -> int:
    from tailor.features.registry import GROUPS, read_lock
    from tailor.lakehouse import arrow_io

    g = GROUPS.get(args.group)
    if g is None:
        print(f"tailor features: unknown group {args.group!r}; known: {', '.join(GROUPS)}",
              file=sys.stderr)
        return 1
    lh = _lakehouse()
    fp = g.fingerprint()
    locked = read_lock().get(g.name, {})
    print(f"{g.name} v{g.version}  ({g.table})")
    print(f"  {g.description}")
    for label, value in (("entity", g.entity), ("owner", g.owner),
                         ("sources", ", ".join(g.sources)), ("ttl", f"{g.ttl_days} days"),
                         ("freshness", g.freshness),
                         ("compute", f"{g.compute.__module__}.{g.compute.__qualname__}"),
                         ("fingerprint", fp),
                         ("locked", ", ".join(f"v{v}={f}" for v, f in locked.items()) or "-")):
        print(f"  {label:<12} {value}")
    if locked.get(str(g.version)) not in (None, fp):
        print(f"  WARNING      v{g.version} was locked as {locked[str(g.version)]}: the logic changed "
              f"without a version bump")
    print("  covers       " + "\n               ".join(g.definition()["code"]))
    if g.fills:
        print("  fills        " + ", ".join(f"{k}={v!r}" for k, v in g.fills.items()))
    version = _table_version(lh, g.table)
    if version is None:
        print("  table        not materialised yet (run `tailor run features --ds YYYY-MM-DD`)")
        return 0
    dt = arrow_io.open_table(lh.uri(g.table))
    schema = arrow_io.arrow_schema(dt)
    files = arrow_io.live_files(dt)
    days = sorted({str(f["partition_values"].get("ds")) for f in files})
    rows = sum(int(f["num_records"] or 0) for f in files)
    print(f"  table        Delta version {version}, {rows} rows, {len(days)} ds partitions"
          + (f" ({days[0]} … {days[-1]})" if days else ""))
    print("  columns")
    width = max(len(f.name) for f in schema)
    for f in schema:
        print(f"    {f.name:<{width}}  {f.type}")
    return 0


def run_lock(args: argparse.Namespace) -> int:
    from tailor.features.registry import LOCK_FILE, lock

    try:
        data = lock(force=args.force)
    except ValueError as exc:
        print(f"tailor features lock: {exc}", file=sys.stderr)
        return 1
    for name, versions in data.items():
        print(f"{name:<14} " + "  ".join(f"v{v}={f}" for v, f in versions.items()))
    print(f"wrote {LOCK_FILE}")
    return 0

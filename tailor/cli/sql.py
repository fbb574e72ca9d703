"""``tailor sql "SELECT ..."``: analysts query any table by its ``layer.name`` with DuckDB."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sql", help="query lakehouse tables with SQL (DuckDB over Delta)",
        description="Run SQL over the Delta tables, addressed as layer.name. Tables are read "
                    "at their latest version, or at --as-of TABLE=VERSION (Delta time travel). Lazy: "
                    "DuckDB reads only the columns and partitions a query needs.",
        epilog='examples:\n'
               '  tailor sql "SELECT action_id, count(*) n FROM gold.decisions GROUP BY 1 ORDER BY n DESC"\n'
               '  tailor sql "SELECT * FROM features.profile_v2 WHERE ds = \'2026-10-15\' LIMIT 5"\n'
               '  tailor sql "SELECT count(*) FROM gold.decisions" --as-of gold.decisions=3\n'
               '  tailor sql --list',
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("query", nargs="?", help="the SQL statement")
    p.add_argument("--list", action="store_true", help="list the tables and their versions")
    p.add_argument("--as-of", action="append", default=[], metavar="TABLE=VERSION",
                   help="read TABLE (layer.name) at that Delta version; repeatable")
    p.add_argument("--max-rows", type=int, default=50, help="rows to print (default 50)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tailor.config import get_config
    from tailor.sql import list_with_versions, query

    cfg = get_config()
    if args.list or not args.query:
        for name, version in list_with_versions(cfg):
            print(f"{name:<32} v{version}")
        return 0
    as_of = {}
    for item in args.as_of:
        table, sep, version = item.partition("=")
        if not sep or not version.isdigit():
            raise SystemExit(f"--as-of wants TABLE=VERSION (e.g. gold.decisions=3), got {item!r}")
        as_of[table] = int(version)
    frame = query(cfg, args.query, as_of)
    if args.format == "csv":
        print(frame.to_csv(index=False), end="")
    elif args.format == "json":
        print(frame.to_json(orient="records", date_format="iso"))
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", args.max_rows, "display.max_columns", 50,
                               "display.width", 200, "display.max_colwidth", 60):
            print(frame.head(args.max_rows).to_string(index=False))
            if len(frame) > args.max_rows:
                print(f"... {len(frame)} rows in all (--max-rows to see more)")
    return 0

"""``tailor tables``: the table catalog — every table the pipeline writes, with its columns."""
from __future__ import annotations

import argparse

HELP = "list the lakehouse tables (the catalog) or show one table's columns"
DESCRIPTION = """\
Every table the pipeline writes is declared once in the table catalog (tailor/catalog): its
columns and types, partitioning, keys, the job that writes it and what it holds. Feature tables
come from the feature registry (`tailor features list`). Every write is checked against the
declaration, so what this prints is what the tables hold.

Examples:
  tailor tables                      # one line per table
  tailor tables gold.decisions       # its columns, types and meaning
  tailor tables --markdown           # the README's table section
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("tables", help=HELP, description=DESCRIPTION,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", nargs="?", help="a table, e.g. gold.decisions: show its columns")
    p.add_argument("--markdown", action="store_true", help="print the catalog as a Markdown table")
    p.set_defaults(func=run)


def markdown() -> str:
    """The catalog as the Markdown table README.md carries (a test keeps the two equal)."""
    from tailor.catalog import all_tables
    from tailor.features.registry import GROUPS

    lines = ["| table | what it holds | partitioned by | keys | written by |",
             "|---|---|---|---|---|"]
    lines += [t.markdown_row() for t in all_tables().values()]
    lines += [f"| `{g.table}` | feature group: {g.description.split(':')[0].rstrip('.')} | ds | "
              f"{g.entity}, ds | `features` |" for g in GROUPS.values()]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from tailor.catalog import all_tables, table

    if args.markdown:
        print(markdown())
        return 0
    if args.name:
        try:
            t = table(args.name)
        except KeyError as exc:
            print(exc.args[0])
            return 2
        print(f"{t.name} — {t.description}\nwritten by: {t.owner}   partitioned by: "
              f"{', '.join(t.partition_by) or '-'}   keys: {', '.join(t.keys) or '-'}\n")
        width = max(len(c.name) for c in t.columns)
        for c in t.columns:
            print(f"  {c.name:<{width}}  {c.type:<15} {c.doc}")
        if t.extra:
            print(f"  + {t.extra}")
        return 0
    tables = all_tables()
    width = max(len(n) for n in tables)
    for t in tables.values():
        print(f"{t.name:<{width}}  {t.description}")
    print("\nfeature tables: `tailor features list`; one table's columns: `tailor tables NAME`")
    return 0

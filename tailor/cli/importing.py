"""``tailor import``: your own data (or CDNOW) → landing events the pipeline ingests.

(The module is ``importing`` because ``import`` is a Python keyword; the command is ``import``.)
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from tailor.events import CHANNELS

HELP = "turn a transactions / interactions file (or CDNOW) into landing events"

DESCRIPTION = """\
Turn real data into landing events (the tailor.events contract), so the whole pipeline
(ingest -> identity -> features -> train -> score -> decide -> publish) runs on it.

  tailor import events FILE --map COL=FIELD ...   any CSV / Parquet / JSON-lines file
  tailor import cdnow                             the CDNOW master (23,570 real customers)

Writes landing/events-YYYY-MM-DD-NNN.jsonl (one file per UTC day, NNN continues after files
already there) and landing/rejected/<namespace>-rejected.ndjson for rows that fail the
contract (with the reason and the source row; never silently dropped). Then run the DAG, or
`tailor run ingest --ds <last day>`.
"""

EVENTS_DESCRIPTION = """\
Map the columns of FILE to landing-event fields with --map SOURCE_COLUMN=FIELD.

Fields: event_id event_type ts customer_id email anonymous_id device_id item_id category
        price quantity order_id channel message_id action_id send_hour discount propensity
        granted   (order_id: lines sharing one are one order, a basket; without it every
        purchase line is its own order)
Needed: ts, plus an event type (--event-type purchase, or --map COL=event_type), plus what
        that type requires (purchase: customer_id, item_id, price = unit price, quantity).

Timestamps become ISO-8601 UTC with Z (whole seconds). Naive values are read in --timezone
(default UTC), values with an offset are converted, dates become midnight (also 20260301).
Epoch numbers are UTC, as numbers (Parquet, JSON) or as text (CSV): below 10^11 they are
seconds (1772323200), from 10^11 on milliseconds (1772323200000; so milliseconds before
1973-03-03 cannot be told from seconds); past year 9999 (micro-, nanoseconds) is rejected.
--ts-format parses anything else (strptime, e.g. %Y%m%d or "%d/%m/%Y %H:%M"); --ts-format %s
says every value is epoch seconds. Without an event_id column, ids are a hash of the
source row, so re-importing a file yields the same ids (ingest deduplicates on event_id).
Rows that cannot be parsed or fail the contract are counted per reason and written to
landing/rejected/<namespace>-rejected.ndjson. Exit code 1 when every row was rejected.
"""

EVENTS_EPILOG = """\
examples:
  # a shop's order lines: one purchase per line, unit price and quantity
  tailor import events orders.csv --event-type purchase \\
      --map cust_no=customer_id --map ordered_at=ts --map sku=item_id \\
      --map unit_price=price --map qty=quantity --map dept=category

  # an interactions log whose rows say what they are; Parquet, local times in Berlin
  tailor import events clicks.parquet --map user=customer_id --map time=ts \\
      --map action=event_type --map product=item_id --timezone Europe/Berlin

  # one product, dates like 19970101, into another landing dir
  tailor import events tx.tsv --format csv --separator $'\\t' --ts-format %Y%m%d \\
      --event-type purchase --set item_id=CD --set quantity=1 \\
      --map id=customer_id --map date=ts --map amount=price --out /data/landing
"""

CDNOW_DESCRIPTION = """\
Import the CDNOW master (Fader & Hardie): 69,659 orders by 23,570 customers who first bought
in Q1 1997, followed to 1998-06-30. Ships with the `lifetimes` package.

Each order becomes a purchase: item_id "CD", category "music" (CDNOW has no product ids),
quantity = number of CDs, price = dollar value / CDs, ts = order date 00:00 UTC, customer_id
as in the file (e.g. 00001). CDNOW has no marketing consent, so by default no consent is
emitted and every decision is "no message" (recommendations are still served);
--consent email invents an email grant per customer at their first order (demo only).
--end-date shifts all dates so 1998-06-30 lands on that day (the DAG starts in 2026).
"""

CDNOW_EPILOG = """\
examples:
  tailor import cdnow                                  # original 1997-98 dates into ./landing
  tailor import cdnow --end-date 2026-10-15            # then: tailor run ingest --ds 2026-10-15
  tailor import cdnow --out /tmp/cdnow --consent email
"""


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from exc


def _landing(out: str | None) -> str:
    if out:
        return out
    from tailor.config import ConfigError, get_config

    try:
        return get_config().landing_dir
    except ConfigError:
        return "landing"


def _print(report, as_json: bool) -> int:
    data = report.as_dict()
    if as_json:
        print(json.dumps(data, indent=2, default=str))
    else:
        print(f"{data['rows']} rows from {data['source']} -> {data['events']} events "
              f"({data['customers']} customers, {data['first_day']}..{data['last_day']}) in "
              f"{data['files']} landing files, {data['seconds']}s")
        if data["rejected"]:
            print(f"{data['rejected']} rejected {data['rejected_reasons']} -> "
                  f"{data['rejected_file']}", file=sys.stderr)
    return 1 if data["rows"] and not data["events"] else 0


def _events(args: argparse.Namespace) -> int:
    from tailor.importers.events import EventImportError, import_file, mapping_from_args, parse_assignments

    try:
        mapping = mapping_from_args(args.map or [])
        constants = dict(parse_assignments(args.set or [], "--set"))
        if args.event_type:
            constants["event_type"] = args.event_type
        report = import_file(args.file, mapping, _landing(args.out), constants, fmt=args.format,
                             separator=args.separator, namespace=args.namespace,
                             ts_format=args.ts_format, timezone_name=args.timezone)
    except EventImportError as exc:
        print(f"tailor import events: {exc}", file=sys.stderr)
        return 2
    return _print(report, args.json)


def _cdnow(args: argparse.Namespace) -> int:
    from tailor.importers.cdnow import import_cdnow
    from tailor.importers.events import EventImportError

    try:
        report = import_cdnow(_landing(args.out), end_date=args.end_date,
                              consent_channels=args.consent or [])
    except EventImportError as exc:
        print(f"tailor import cdnow: {exc}", file=sys.stderr)
        return 2
    if args.consent:
        print(f"note: consent for {args.consent} is synthetic (CDNOW records none)", file=sys.stderr)
    return _print(report, args.json)


def register(subparsers) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = subparsers.add_parser("import", help=HELP, description=DESCRIPTION, formatter_class=fmt)
    sub = parser.add_subparsers(dest="import_command", metavar="SOURCE", required=True)

    ev = sub.add_parser("events", help="any CSV / Parquet / JSON-lines file, with --map COL=FIELD",
                        description=EVENTS_DESCRIPTION, epilog=EVENTS_EPILOG, formatter_class=fmt)
    ev.add_argument("file", metavar="FILE", help="the file to import")
    ev.add_argument("--format", choices=["csv", "parquet", "jsonl"],
                    help="file format (default: from the extension)")
    ev.add_argument("--map", action="append", metavar="COL=FIELD",
                    help="source column COL feeds landing field FIELD (repeat per column)")
    ev.add_argument("--event-type", metavar="TYPE",
                    help="every row is this event type, e.g. purchase (instead of a column)")
    ev.add_argument("--set", action="append", metavar="FIELD=VALUE",
                    help="a constant field for every row, e.g. --set category=music")
    ev.add_argument("--ts-format", metavar="STRPTIME",
                    help="how ts is written if not ISO-8601 or an epoch number, e.g. "
                         "%%Y%%m%%d; %%s = epoch seconds only")
    ev.add_argument("--timezone", default="UTC", metavar="TZ",
                    help="zone of naive timestamps (default UTC), e.g. Europe/Berlin")
    ev.add_argument("--separator", default=",", help="CSV field separator (default ,)")
    ev.add_argument("--namespace", default="import",
                    help="prefix of generated event ids and of the rejected file (default import);"
                         " use one per source so two files never share ids")
    ev.add_argument("--out", metavar="DIR", help="landing directory (default: paths.landing)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(func=_events)

    cd = sub.add_parser("cdnow", help="the CDNOW master: 23,570 real customers, 1997-98",
                        description=CDNOW_DESCRIPTION, epilog=CDNOW_EPILOG, formatter_class=fmt)
    cd.add_argument("--out", metavar="DIR", help="landing directory (default: paths.landing)")
    cd.add_argument("--end-date", type=_date, metavar="YYYY-MM-DD",
                    help="shift dates so the last order day (1998-06-30) becomes this day")
    cd.add_argument("--consent", action="append", choices=CHANNELS,
                    help="synthesise a consent grant for this channel per customer (invented)")
    cd.add_argument("--json", action="store_true", help="print the report as JSON")
    cd.set_defaults(func=_cdnow)

"""``tailor simulate``: generate a deterministic demo world into landing/ (+ ground_truth/)."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

HELP = "generate a deterministic simulated world (landing events + hidden ground truth)"

DESCRIPTION = """\
Simulate customers with hidden traits (channel affinity, preferred hours, discount
sensitivity, churn hazard, spend level) who browse on several devices (anonymous until
they log in), buy, churn, change their per-channel consent and respond to marketing sent
by a randomised logging policy whose propensities are recorded.

Writes, under --out:
  landing/events-YYYY-MM-DD-NNN.jsonl   one JSON event per line (tailor.events contract),
                                        one file per day and user chunk
  ground_truth/users.parquet            hidden traits, churn, true_future_value (next 14 days)
  ground_truth/identity.parquet         true owner of every device / anonymous id
  world.json                            arguments, counts, example customer ids

The pipeline reads landing/ only; ground_truth/ is for tests and evaluation.
Same arguments -> byte-identical files. Defaults come from conf/ (section `simulator`).

Closed loop (--decisions PATH): send what a policy decided instead of the logging policy's
random pick. PATH is a Parquet or JSON-lines file, or a directory of them, with one row per
customer and send date:
  customer_id   the landing id (C0000001 ...), not the pipeline's pseudonymous person_id
  date          YYYY-MM-DD, the simulated day the message is sent on
  action_id     an action of the bank (email@18:pct10 ...) or no_message
  propensity    the probability the deciding policy gave that action, in (0, 1]
On a date with rows, the day's decision points (the simulator still picks who they are) take
their row's action and log its propensity; a message the customer's consent does not allow
is not sent (logged as no_message with propensity 1.0, counted in world.json "decisions");
decision points without a row follow --fallback. Dates without rows are simulated exactly as
without --decisions, and a day's landing file depends only on rows dated on or before it: to
run a loop, keep --days fixed and re-run with one more day of decisions each time.
"""

EPILOG = """\
examples:
  tailor simulate                                   # the demo world (conf defaults) into .
  tailor simulate --users 200 --days 10 --out /tmp/small
  tailor simulate --users 1000000 --days 3 --chunk-size 100000 --out /data/big
  tailor simulate --users 5000 --days 45 --out /tmp/loop --decisions /tmp/loop_decisions/
  tailor simulate --users 5000 --days 45 --out /tmp/loop --decisions d.parquet --fallback no_message
"""

_CONF_KEYS = ("users", "days", "seed", "items", "start_date")


def _conf_defaults() -> dict[str, Any]:
    """Simulator defaults from conf/, or {} when there is no project configuration here."""
    from tailor.config import ConfigError, get_config

    try:
        sim = get_config().simulator
    except ConfigError:
        return {}
    return {key: getattr(sim, key) for key in _CONF_KEYS}


def _start_date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from exc


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {number}")
    return number


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``simulate`` sub-command."""
    from tailor.simulator import DEFAULT_CHUNK_SIZE
    from tailor.simulator.decisions import FALLBACKS

    defaults = _conf_defaults()

    def shown(key: str) -> str:
        return f"(default: {defaults[key]} from conf)" if key in defaults else "(default: conf)"

    parser = subparsers.add_parser(
        "simulate", help=HELP, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=_positive, metavar="N", help=f"customers {shown('users')}")
    parser.add_argument("--days", type=_positive, metavar="D",
                        help=f"simulated days written to landing {shown('days')}")
    parser.add_argument("--seed", type=int, metavar="S", help=f"random seed {shown('seed')}")
    parser.add_argument("--items", type=_positive, metavar="I",
                        help=f"catalogue size {shown('items')}")
    parser.add_argument("--start-date", type=_start_date, metavar="YYYY-MM-DD",
                        help=f"first simulated day {shown('start_date')}")
    parser.add_argument("--out", default=".", metavar="DIR",
                        help="output directory for landing/, ground_truth/, world.json "
                             "(default: .)")
    parser.add_argument("--chunk-size", type=_positive, default=DEFAULT_CHUNK_SIZE, metavar="N",
                        help="users simulated together; bounds memory, one landing file per "
                             f"day and chunk (default: {DEFAULT_CHUNK_SIZE})")
    parser.add_argument("--decisions", metavar="PATH",
                        help="closed loop: a decision table (Parquet / JSON lines file or a "
                             "directory of them; columns customer_id, date, action_id, "
                             "propensity) whose actions replace the logging policy's on the "
                             "dates it covers (see above)")
    parser.add_argument("--fallback", choices=FALLBACKS, default="logging",
                        help="decision points without a row on a date that has decisions: "
                             "'logging' (the uniform logging policy) or 'no_message' "
                             "(default: logging)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Resolve defaults from conf/, simulate, print a summary."""
    from tailor.config import ConfigError, get_config
    from tailor.simulator import simulate
    from tailor.simulator.decisions import DecisionTableError

    try:
        if any(getattr(args, key) is None for key in _CONF_KEYS):
            sim = get_config().simulator
            for key in _CONF_KEYS:
                if getattr(args, key) is None:
                    setattr(args, key, getattr(sim, key))
        summary = simulate(args.users, args.days, args.seed, args.out, items=args.items,
                           start_date=args.start_date, progress=not args.no_progress,
                           chunk_size=args.chunk_size, decisions=args.decisions,
                           fallback=args.fallback)
    except (ConfigError, DecisionTableError) as exc:
        print(f"tailor simulate: {exc}", file=sys.stderr)
        return 2
    print(format_summary(summary))
    return 0


def format_summary(summary: dict[str, Any]) -> str:
    """Human-readable end-of-run summary."""
    by_type = summary["events_by_type"]
    width = max(len(name) for name in by_type)
    lines = [
        f"simulated {summary['users']:,} users x {summary['days']} days "
        f"({summary['start_date']} .. {summary['end_date']}, seed {summary['seed']}, "
        f"{summary['items']} items) in {summary['seconds']:.1f} s",
        f"  events:       {summary['events']:,}",
        *(f"    {name:<{width}} {count:>12,}" for name, count in by_type.items()),
        f"  files:        {summary['files']:,} in {summary['landing_dir']}",
        f"  bytes:        {summary['bytes']:,} ({summary['bytes'] / 2**20:.1f} MiB)",
        f"  ground truth: {summary['ground_truth_dir']} (never read by the pipeline)",
        f"  active customers:       {', '.join(summary['examples']['active']) or '-'}",
        f"  opted out of every channel: "
        f"{', '.join(summary['examples']['opted_out_everywhere']) or '-'}",
    ]
    if "decisions" in summary:
        d = summary["decisions"]
        lines.append(
            f"  decisions:    {d['rows']:,} rows on {len(d['dates'])} dates: {d['decided']:,} "
            f"decision points took them ({d['sent']:,} sent, {d['blocked_by_consent']:,} "
            f"blocked by consent), {d['fallback_points']:,} fell back to {d['fallback']}, "
            f"{d['unused_rows']:,} rows unused, {d['rows_outside_period']:,} outside the period")
    return "\n".join(lines)

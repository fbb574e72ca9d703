"""Pure parsing of landing lines into typed bronze rows or quarantine rows with a reason.

Runs inside Spark (``mapInPandas``) but is plain pandas so it is tested on a handful of lines.
Besides :func:`tailor.events.validate_event`'s reasons, a line is quarantined as ``future_ts``
when its event is dated more than ``ingest.max_future_skew_seconds`` after it was received: the
server's ``received_at`` if it has one, else the landing file's arrival (``ingested_at``, the
pipeline clock's: in replay, the end of the file's day, so replayed history is judged against
its own time, not today's wall clock).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, Iterator

import pandas as pd

from tailor.events import EVENT_FIELDS, SERVER_FIELDS, is_future, parse_ts, validate_event
from tailor.ingestion.landing import relative_path

# Spark DDL of a parsed line: every event field, then bookkeeping.
PARSED_SCHEMA = ", ".join([
    "event_id string", "event_type string", "ts string", "customer_id string", "email string",
    "anonymous_id string", "device_id string", "item_id string", "category string",
    "price double", "quantity int", "channel string", "message_id string", "action_id string",
    "send_hour int", "discount double", "propensity double", "granted boolean",
    "overridden_by string", "policy_action_id string", "policy_propensity double",
    "shadow_action_id string", "shadow_propensity double", "received_at string",
    "order_id string",
    "landing_file string", "raw_line string", "reason string", "quarantine_id string",
    "arrived_us long",
])
FIELD_NAMES = [f.split()[0] for f in PARSED_SCHEMA.split(", ")]
_FLOAT = {"price", "discount", "propensity", "policy_propensity", "shadow_propensity"}
_INT = {"quantity", "send_hour"}
_COPIED = [*EVENT_FIELDS, *SERVER_FIELDS]
FUTURE_TS = "future_ts"


def quarantine_id(landing_file: str, line: str) -> str:
    """The id of a quarantined line: its landing file (relative to the root) and its text."""
    return hashlib.sha1(f"{landing_file}\n{line}".encode()).hexdigest()


def parse_line(line: str, landing_file: str, arrived: float | None = None,
               max_future_skew: float | None = None) -> dict[str, Any]:
    """One landing line → a row; ``reason`` is None for a good event.

    ``arrived`` (epoch seconds): when the line's file arrived; with ``max_future_skew`` an
    event dated further after its receipt (``received_at``, else ``arrived``) is ``future_ts``.
    Every row keeps its raw text and quarantine id (a good line can still be quarantined later
    as a conflicting duplicate).
    """
    row: dict[str, Any] = {name: None for name in FIELD_NAMES}
    row["landing_file"] = landing_file
    row["raw_line"] = line
    row["quarantine_id"] = quarantine_id(landing_file, line)
    try:
        event = json.loads(line)
    except (json.JSONDecodeError, TypeError):
        event, reason = None, "invalid_json"
    else:
        reason = validate_event(event)
    if reason is None and max_future_skew is not None:
        received = parse_ts(event.get("received_at"))
        base = received if received is not None else arrived
        if base is not None and is_future(event["ts"], base, max_future_skew):
            reason = FUTURE_TS
    if reason is None:
        for key in _COPIED:
            value = event.get(key)
            if value is None:
                continue
            row[key] = float(value) if key in _FLOAT else int(value) if key in _INT else value
        return row
    row["reason"] = reason
    return row


def line_parser(root: str, max_future_skew: float | None
                ) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """A ``mapInPandas`` body: columns (value, landing_file, arrived_us: the file's arrival in
    epoch microseconds) → parsed rows (PARSED_SCHEMA, arrived_us passed through), landing files
    named relative to the landing ``root``. (Microseconds, not a timestamp: pandas' nanosecond
    timestamps end in 2262, replayed worlds may not.)"""

    def parse(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in frames:
            arrived = pdf["arrived_us"]
            rows = [parse_line(v, relative_path(f, root), None if pd.isna(a) else a / 1e6,
                               max_future_skew)
                    for v, f, a in zip(pdf["value"], pdf["landing_file"], arrived)]
            out = pd.DataFrame(rows, columns=FIELD_NAMES)
            out["arrived_us"] = arrived.to_numpy()
            for col in _INT:
                out[col] = out[col].astype("Int32")
            for col in _FLOAT:
                out[col] = out[col].astype("float64")
            out["granted"] = out["granted"].astype("boolean")
            yield out

    return parse

"""Pure parsing of landing lines into typed bronze rows or quarantine rows with a reason.

Runs inside Spark (``mapInArrow``) but is plain Python so it is tested on a handful of lines.
Besides :func:`tailor.events.validate_event`'s reasons, a line is quarantined as ``future_ts``
when its event is dated more than ``ingest.max_future_skew_seconds`` after it was received: the
server's ``received_at`` if it has one, else the landing file's arrival (``ingested_at``, the
pipeline clock's: in replay, the end of the file's day, so replayed history is judged against
its own time, not today's wall clock).

The Spark side (:func:`tailor.ingestion.bronze.parse_lines`) names each line's landing file
relative to the landing root and computes its quarantine id natively (``sha1`` of the same
text as :func:`quarantine_id`); this module only decodes and validates. A parsed row keeps the
raw text only when the line is quarantined (a good line later found to be a conflicting
duplicate is looked up again by its quarantine id), so the wide text never rides along with
the millions of good rows.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, Iterator

import orjson
import pyarrow as pa

from tailor.events import EVENT_FIELDS, SERVER_FIELDS, checked_event, parse_ts

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
_ARROW_TYPES = {"string": pa.string(), "double": pa.float64(), "int": pa.int32(),
                "boolean": pa.bool_(), "long": pa.int64()}
ARROW_SCHEMA = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in
                          (f.split() for f in PARSED_SCHEMA.split(", "))])
# what the Spark side passes through untouched (in: value, landing_file, quarantine_id, arrived_us)
_PASSED = ("landing_file", "quarantine_id", "arrived_us")
FUTURE_TS = "future_ts"


def quarantine_id(landing_file: str, line: str) -> str:
    """The id of a quarantined line: its landing file (relative to the root) and its text."""
    return hashlib.sha1(f"{landing_file}\n{line}".encode()).hexdigest()


def parse_event(line: str, arrived: float | None = None, max_future_skew: float | None = None
                ) -> tuple[dict[str, Any] | None, str | None]:
    """One landing line → (its event, None) or (None, the reason it is quarantined).

    ``arrived`` (epoch seconds): when the line's file arrived; with ``max_future_skew`` an
    event dated further after its receipt (``received_at``, else ``arrived``) is ``future_ts``.
    """
    try:
        event = orjson.loads(line)  # ~4x faster; strict RFC 8259 JSON
    except (orjson.JSONDecodeError, TypeError):
        try:  # the reference parser also takes NaN, Infinity, unpaired surrogates, huge numbers
            event = json.loads(line)
        except (json.JSONDecodeError, TypeError):
            return None, "invalid_json"
    reason, when = checked_event(event)
    if reason is not None:
        return None, reason
    if max_future_skew is not None:
        received = event.get("received_at")  # valid when present (checked_event)
        base = parse_ts(received) if received is not None else arrived
        if base is not None and when > base + max_future_skew:  # tailor.events.is_future
            return None, FUTURE_TS
    return event, None


def _typed(key: str, value: Any) -> Any:
    return float(value) if key in _FLOAT else int(value) if key in _INT else value


def parse_line(line: str, landing_file: str, arrived: float | None = None,
               max_future_skew: float | None = None) -> dict[str, Any]:
    """One landing line → a row of PARSED_SCHEMA (without ``arrived_us``); ``reason`` is None
    for a good event. Every row here keeps its raw text and quarantine id."""
    row: dict[str, Any] = {name: None for name in FIELD_NAMES}
    row.update(landing_file=landing_file, raw_line=line,
               quarantine_id=quarantine_id(landing_file, line))
    event, row["reason"] = parse_event(line, arrived, max_future_skew)
    for key in _COPIED if event is not None else ():
        if event.get(key) is not None:
            row[key] = _typed(key, event[key])
    return row


def parse_batch(batch: pa.RecordBatch, max_future_skew: float | None) -> pa.RecordBatch:
    """(value, landing_file, quarantine_id, arrived_us: the file's arrival in epoch
    microseconds) → ARROW_SCHEMA rows, one per line, built column by column. (Microseconds, not
    a timestamp: replayed worlds may lie past what nanosecond timestamps hold.)"""
    lines = batch.column("value").to_pylist()
    arrived = batch.column("arrived_us").to_pylist()
    columns: dict[str, list[Any]] = {key: [None] * len(lines) for key in _COPIED}
    reasons: list[str | None] = [None] * len(lines)
    for i, (line, at) in enumerate(zip(lines, arrived)):
        event, reasons[i] = parse_event(line, None if at is None else at / 1e6, max_future_skew)
        for key, value in event.items() if event is not None else ():
            column = columns.get(key)  # unknown fields are ignored
            if column is not None:
                column[i] = value
    for key in _FLOAT | _INT:
        columns[key] = [None if v is None else _typed(key, v) for v in columns[key]]
    columns["reason"] = reasons
    columns["raw_line"] = [None if r is None else line for line, r in zip(lines, reasons)]
    arrays = [batch.column(name) if name in _PASSED else
              pa.array(columns[name], type=ARROW_SCHEMA.field(name).type)
              for name in ARROW_SCHEMA.names]
    return pa.RecordBatch.from_arrays(arrays, schema=ARROW_SCHEMA)


def line_parser(max_future_skew: float | None
                ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """A ``mapInArrow`` body: :func:`parse_batch` over each batch."""

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield parse_batch(batch, max_future_skew)

    return parse

"""Pure parsing of landing lines into typed bronze rows or quarantine rows with a reason.

Runs inside Spark (``mapInPandas``) but is plain pandas so it is tested on a handful of lines.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

import pandas as pd

from tailor.events import EVENT_FIELDS, validate_event

# Spark DDL of a parsed line: every event field, then bookkeeping.
PARSED_SCHEMA = ", ".join([
    "event_id string", "event_type string", "ts string", "customer_id string", "email string",
    "anonymous_id string", "device_id string", "item_id string", "category string",
    "price double", "quantity int", "channel string", "message_id string", "action_id string",
    "send_hour int", "discount double", "propensity double", "granted boolean",
    "landing_file string", "raw_line string", "reason string", "quarantine_id string",
])
FIELD_NAMES = [f.split()[0] for f in PARSED_SCHEMA.split(", ")]
_FLOAT = {"price", "discount", "propensity"}
_INT = {"quantity", "send_hour"}


def parse_line(line: str, landing_file: str) -> dict[str, Any]:
    """One landing line → a row; ``reason`` is None for a good event."""
    row: dict[str, Any] = {name: None for name in FIELD_NAMES}
    row["landing_file"] = landing_file
    try:
        event = json.loads(line)
    except (json.JSONDecodeError, TypeError):
        event, reason = None, "invalid_json"
    else:
        reason = validate_event(event)
    if reason is None:
        for key in EVENT_FIELDS:
            value = event.get(key)
            if value is None:
                continue
            row[key] = float(value) if key in _FLOAT else int(value) if key in _INT else value
        return row
    row["raw_line"] = line
    row["reason"] = reason
    row["quarantine_id"] = hashlib.sha1(f"{landing_file}\n{line}".encode()).hexdigest()
    return row


def parse_frames(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """``mapInPandas`` body: columns (value, landing_file) → parsed rows (PARSED_SCHEMA)."""
    for pdf in frames:
        rows = [parse_line(v, f) for v, f in zip(pdf["value"], pdf["landing_file"])]
        out = pd.DataFrame(rows, columns=FIELD_NAMES)
        for col in _INT:
            out[col] = out[col].astype("Int32")
        for col in _FLOAT:
            out[col] = out[col].astype("float64")
        out["granted"] = out["granted"].astype("boolean")
        yield out

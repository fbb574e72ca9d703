"""Rules shared by the event tables (``bronze.events`` and ``silver.events``).

Silver is bronze keyed by a person instead of raw identifiers: the event columns, their types
and their values are the same contract, stated once here. Each table module adds its own keys,
identity columns and lineage.
"""
from __future__ import annotations

from typing import Any

PARTITION_COLUMN = "event_date"   # both tables are partitioned by the event's day
ID_COLUMN = "event_id"

# not-null reasons of the event columns every event has (in report order)
EVENT_KEYS = {"event_id": "the dedupe key is always set",
              "event_type": "every event has a type",
              "event_ts": "every event has a timestamp",
              "event_date": "every row has its partition value"}
INGESTED_AT = {"ingested_at": "lineage: every row records when it was ingested"}


def partition_not_empty() -> Any:
    """A warning, not a breach: a quiet day is suspicious, not wrong."""
    from tailor.expectations._rules import non_empty

    return non_empty("the event_date partition has at least one event", warn=True)


def event_types() -> list[Any]:
    """Types of the timestamp and numeric event columns (string columns differ per table)."""
    from tailor.expectations._rules import doubles, integers, timestamps

    return [*timestamps("event_ts", "ingested_at", "received_at",
                        noun="a timezone-aware timestamp"),
            *doubles("price", "discount", "propensity"),
            *integers("quantity", "send_hour")]


def event_values() -> list[Any]:
    """Value rules of the event columns (map expectations skip nulls: "when present")."""
    from tailor.events import CHANNELS, EVENT_TYPES
    from tailor.expectations._rules import between, date_string, in_set

    return [in_set("event_type", EVENT_TYPES, "event_type is one of tailor.events.EVENT_TYPES"),
            date_string("event_date"),
            in_set("channel", CHANNELS, "channel, when present, is one of tailor.events.CHANNELS"),
            between("price", 0, None, "price, when present, is >= 0"),
            between("quantity", 1, None, "quantity, when present, is >= 1"),
            between("send_hour", 0, 23, "send_hour, when present, is an hour 0..23"),
            between("discount", 0, 1, "discount, when present, is a share in [0, 1]"),
            # a logging propensity of 0 would make off-policy weights infinite
            between("propensity", 0, 1, "propensity, when present, is in (0, 1]",
                    strict_min=True)]

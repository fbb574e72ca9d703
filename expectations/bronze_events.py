"""Contract of ``bronze.events``: raw events as ingested, one row per unique ``event_id``.

Checked on one ``event_date`` partition at a time (the validate job reads ``event_date == ds``).

- The partition is not empty (severity *warning*: a quiet day is suspicious, not a breach).
- Every column of the table exists: event_id, event_type, event_ts, event_date, customer_id,
  email, anonymous_id, device_id, item_id, category, price, quantity, channel, message_id,
  action_id, send_hour, discount, propensity, granted, landing_file, ingested_at, received_at,
  order_id.
- ``event_id`` is a non-null string and unique (it is the dedupe key of ingest).
- ``event_type`` is non-null and one of ``tailor.events.EVENT_TYPES``.
- ``event_ts`` and ``ingested_at`` are non-null timezone-aware (UTC) timestamps; ``received_at``
  (when the lookup server received the event; null for events that did not come through it) is
  one when present.
- ``event_date`` is a non-null 'YYYY-MM-DD' string (the partition value).
- Identity and item columns (customer_id, email, anonymous_id, device_id, item_id, category,
  message_id, action_id, order_id) are strings and may be null.
- When present: ``price`` is a double >= 0; ``quantity`` an integer >= 1; ``channel`` one of
  ``tailor.events.CHANNELS``; ``send_hour`` an integer in 0..23; ``discount`` a double in
  [0, 1]; ``propensity`` a double in (0, 1] (a logging propensity of 0 would make off-policy
  weights infinite); ``granted`` a boolean.
- ``landing_file`` (lineage: the landing file the row came from, relative to the landing root)
  is a non-null string.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.catalog import table
from tailor.expectations._events import ID_COLUMN, PARTITION_COLUMN  # noqa: F401 (registry names)

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "bronze.events"

COLUMNS = table(TABLE).column_names
NULLABLE_STRINGS = ["customer_id", "email", "anonymous_id", "device_id", "item_id", "category",
                    "message_id", "action_id", "order_id"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``bronze.events`` expectation suite (a fresh object on every call)."""
    from tailor.expectations._events import (
        EVENT_KEYS,
        INGESTED_AT,
        event_types,
        event_values,
        partition_not_empty,
    )
    from tailor.expectations._rules import booleans, has_columns, make_suite, not_null, strings, unique

    return make_suite(
        TABLE, __doc__,
        partition_not_empty(),
        has_columns(COLUMNS, TABLE),
        not_null({**EVENT_KEYS, "landing_file": "lineage: every row names its landing file",
                  **INGESTED_AT}),
        unique("event_id", "event_id is unique (ingest deduplicates on it)"),
        strings("event_id", "event_type", "event_date", "landing_file", *NULLABLE_STRINGS,
                "channel"),
        event_types(),
        booleans("granted"),
        event_values())

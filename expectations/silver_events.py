"""Contract of ``silver.events``: bronze events keyed by a pseudonymous ``person_id``.

Checked on one ``event_date`` partition at a time (the validate job reads ``event_date == ds``).

- The partition is not empty (severity *warning*, as for bronze: a quiet day is suspicious).
- **Governance (pseudonymisation):** no direct identifier is a column: ``customer_id``,
  ``email``, ``anonymous_id``, ``device_id`` (and ``phone``, ``ip``, ``user_agent``) must
  not exist. The column set is also *exactly* the pseudonymised set below, so an identifier
  cannot come back under a new name without this contract being changed on purpose.
- Columns: person_id, event_id, event_type, event_ts, event_date, item_id, category, price,
  quantity, channel, message_id, action_id, send_hour, discount, propensity, granted,
  ingested_at, received_at (the consent rule orders changes by it: tailor/consent.py),
  order_id (the order a purchase line belongs to; null: the line is its own order).
- ``person_id`` is a non-null string (every event belongs to a person, ``anon-…`` for
  visitors who never logged in).
- ``event_id`` is a non-null string, unique (silver keeps bronze's dedupe).
- ``event_type`` is one of ``tailor.events.EVENT_TYPES``; ``event_ts``/``ingested_at`` are
  non-null UTC timestamps (``received_at`` one when present); ``event_date`` is the
  'YYYY-MM-DD' partition value.
- When present: ``channel`` one of ``tailor.events.CHANNELS``; ``price`` >= 0; ``quantity``
  >= 1; ``send_hour`` 0..23; ``discount`` in [0, 1]; ``propensity`` in (0, 1].
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.catalog import table
from tailor.expectations._events import ID_COLUMN, PARTITION_COLUMN  # noqa: F401 (registry names)

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "silver.events"

COLUMNS = table(TABLE).column_names
DIRECT_IDENTIFIERS = ["customer_id", "email", "anonymous_id", "device_id", "phone", "ip",
                      "user_agent"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``silver.events`` expectation suite (a fresh object on every call)."""
    from tailor.expectations._events import (
        EVENT_KEYS,
        INGESTED_AT,
        event_types,
        event_values,
        partition_not_empty,
    )
    from tailor.expectations._rules import forbid_columns, has_columns, make_suite, not_null, strings, unique

    return make_suite(
        TABLE, __doc__,
        partition_not_empty(),
        forbid_columns(DIRECT_IDENTIFIERS,
                       "governance: no direct identifier columns in silver (pseudonymised)"),
        has_columns(COLUMNS, exact=True,
                    description="governance: exactly the pseudonymised silver.events columns"),
        not_null({"person_id": "every event belongs to a (pseudonymous) person", **EVENT_KEYS,
                  **INGESTED_AT}),
        unique("event_id", "event_id is unique"),
        strings("person_id", "event_id", "event_type", "event_date", "item_id", "category",
                "channel", "message_id", "action_id", "order_id"),
        event_types(),
        event_values())

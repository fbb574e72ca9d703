"""Contract of ``silver.events``: bronze events keyed by a pseudonymous ``person_id``.

Checked on one ``event_date`` partition at a time (the validate job reads ``event_date == ds``).

- The partition is not empty (severity *warning*, as for bronze: a quiet day is suspicious).
- **Governance (pseudonymisation):** no direct identifier is a column: ``customer_id``,
  ``email``, ``anonymous_id``, ``device_id`` (and ``phone``, ``ip``, ``user_agent``) must
  not exist. The column set is also *exactly* the pseudonymised set below, so an identifier
  cannot come back under a new name without this contract being changed on purpose.
- Columns: person_id, event_id, event_type, event_ts, event_date, item_id, category, price,
  quantity, channel, message_id, action_id, send_hour, discount, propensity, granted,
  ingested_at.
- ``person_id`` is a non-null string (every event belongs to a person, ``anon-…`` for
  visitors who never logged in).
- ``event_id`` is a non-null string, unique (silver keeps bronze's dedupe).
- ``event_type`` is one of ``tailor.events.EVENT_TYPES``; ``event_ts``/``ingested_at`` are
  non-null UTC timestamps; ``event_date`` is the 'YYYY-MM-DD' partition value.
- When present: ``channel`` one of ``tailor.events.CHANNELS``; ``price`` >= 0; ``quantity``
  >= 1; ``send_hour`` 0..23; ``discount`` in [0, 1]; ``propensity`` in (0, 1].
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from expectations import DATE_REGEX, FLOAT_TYPES, INT_TYPES, STRING, TZ_TIMESTAMP
from tailor.events import CHANNELS, EVENT_TYPES

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "silver.events"
PARTITION_COLUMN = "event_date"
ID_COLUMN = "event_id"

COLUMNS = ["person_id", "event_id", "event_type", "event_ts", "event_date", "item_id",
           "category", "price", "quantity", "channel", "message_id", "action_id", "send_hour",
           "discount", "propensity", "granted", "ingested_at"]
DIRECT_IDENTIFIERS = ["customer_id", "email", "anonymous_id", "device_id", "phone", "ip",
                      "user_agent"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``silver.events`` expectation suite (a fresh object on every call)."""
    import great_expectations as gx
    from great_expectations import expectations as gxe
    from great_expectations.expectations.metadata_types import FailureSeverity

    from expectations._rules import forbid_columns

    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableRowCountToBeBetween(
        min_value=1, severity=FailureSeverity.WARNING,
        description="the event_date partition has at least one event"))
    add(forbid_columns(DIRECT_IDENTIFIERS,
                       "governance: no direct identifier columns in silver (pseudonymised)"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=COLUMNS, exact_match=True,
        description="governance: exactly the pseudonymised silver.events columns"))

    for col, why in [("person_id", "every event belongs to a (pseudonymous) person"),
                     ("event_id", "the dedupe key is always set"),
                     ("event_type", "every event has a type"),
                     ("event_ts", "every event has a timestamp"),
                     ("event_date", "every row has its partition value"),
                     ("ingested_at", "lineage: every row records when it was ingested")]:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=why))
    add(gxe.ExpectColumnValuesToBeUnique(column="event_id", description="event_id is unique"))

    for col in ["person_id", "event_id", "event_type", "event_date", "item_id", "category",
                "channel", "message_id", "action_id"]:
        add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=STRING,
                                             description=f"{col} is a string"))
    for col in ["event_ts", "ingested_at"]:
        add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=TZ_TIMESTAMP,
                                             description=f"{col} is a timezone-aware timestamp"))
    for col in ["price", "discount", "propensity"]:
        add(gxe.ExpectColumnValuesToBeInTypeList(column=col, type_list=FLOAT_TYPES,
                                                 description=f"{col} is a double"))
    for col in ["quantity", "send_hour"]:
        add(gxe.ExpectColumnValuesToBeInTypeList(column=col, type_list=INT_TYPES,
                                                 description=f"{col} is an integer"))

    add(gxe.ExpectColumnValuesToBeInSet(
        column="event_type", value_set=list(EVENT_TYPES),
        description="event_type is one of tailor.events.EVENT_TYPES"))
    add(gxe.ExpectColumnValuesToMatchRegex(
        column="event_date", regex=DATE_REGEX, description="event_date looks like YYYY-MM-DD"))
    add(gxe.ExpectColumnValuesToBeInSet(
        column="channel", value_set=list(CHANNELS),
        description="channel, when present, is one of tailor.events.CHANNELS"))
    add(gxe.ExpectColumnValuesToBeBetween(column="price", min_value=0,
                                          description="price, when present, is >= 0"))
    add(gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=1,
                                          description="quantity, when present, is >= 1"))
    add(gxe.ExpectColumnValuesToBeBetween(column="send_hour", min_value=0, max_value=23,
                                          description="send_hour, when present, is 0..23"))
    add(gxe.ExpectColumnValuesToBeBetween(column="discount", min_value=0, max_value=1,
                                          description="discount, when present, is in [0, 1]"))
    add(gxe.ExpectColumnValuesToBeBetween(
        column="propensity", min_value=0, max_value=1, strict_min=True,
        description="propensity, when present, is in (0, 1]"))
    return gx.ExpectationSuite(name=TABLE, expectations=expectations,
                               meta={"contract": __doc__.strip()})

"""Contract of ``bronze.events``: raw events as ingested, one row per unique ``event_id``.

Checked on one ``event_date`` partition at a time (the validate job reads ``event_date == ds``).

- The partition is not empty (severity *warning*: a quiet day is suspicious, not a breach).
- Every column of the table exists: event_id, event_type, event_ts, event_date, customer_id,
  email, anonymous_id, device_id, item_id, category, price, quantity, channel, message_id,
  action_id, send_hour, discount, propensity, granted, landing_file, ingested_at.
- ``event_id`` is a non-null string and unique (it is the dedupe key of ingest).
- ``event_type`` is non-null and one of ``tailor.events.EVENT_TYPES``.
- ``event_ts`` and ``ingested_at`` are non-null timezone-aware (UTC) timestamps.
- ``event_date`` is a non-null 'YYYY-MM-DD' string (the partition value).
- Identity and item columns (customer_id, email, anonymous_id, device_id, item_id, category,
  message_id, action_id) are strings and may be null.
- When present: ``price`` is a double >= 0; ``quantity`` an integer >= 1; ``channel`` one of
  ``tailor.events.CHANNELS``; ``send_hour`` an integer in 0..23; ``discount`` a double in
  [0, 1]; ``propensity`` a double in (0, 1] (a logging propensity of 0 would make off-policy
  weights infinite); ``granted`` a boolean.
- ``landing_file`` (lineage: the landing file the row came from) is a non-null string.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from expectations import BOOL, DATE_REGEX, FLOAT_TYPES, INT_TYPES, STRING, TZ_TIMESTAMP
from tailor.events import CHANNELS, EVENT_TYPES

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "bronze.events"
PARTITION_COLUMN = "event_date"
ID_COLUMN = "event_id"

COLUMNS = ["event_id", "event_type", "event_ts", "event_date", "customer_id", "email",
           "anonymous_id", "device_id", "item_id", "category", "price", "quantity", "channel",
           "message_id", "action_id", "send_hour", "discount", "propensity", "granted",
           "landing_file", "ingested_at"]
NULLABLE_STRINGS = ["customer_id", "email", "anonymous_id", "device_id", "item_id", "category",
                    "message_id", "action_id"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``bronze.events`` expectation suite (a fresh object on every call)."""
    import great_expectations as gx
    from great_expectations import expectations as gxe
    from great_expectations.expectations.metadata_types import FailureSeverity

    # Collected in a list and handed to the constructor: in GX 1.24 suite.add_expectation()
    # needs an active data context even for an unsaved suite.
    expectations: list = []
    add = expectations.append

    add(gxe.ExpectTableRowCountToBeBetween(
        min_value=1, severity=FailureSeverity.WARNING,
        description="the event_date partition has at least one event"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=COLUMNS, exact_match=False,
        description="every bronze.events column exists (extra columns are allowed)"))

    # keys and lineage
    for col, why in [("event_id", "the dedupe key is always set"),
                     ("event_type", "every event has a type"),
                     ("event_ts", "every event has a timestamp"),
                     ("event_date", "every row has its partition value"),
                     ("landing_file", "lineage: every row names its landing file"),
                     ("ingested_at", "lineage: every row records when it was ingested")]:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=why))
    add(gxe.ExpectColumnValuesToBeUnique(
        column="event_id", description="event_id is unique (ingest deduplicates on it)"))

    # types
    for col in ["event_id", "event_type", "event_date", "landing_file", *NULLABLE_STRINGS,
                "channel"]:
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
    add(gxe.ExpectColumnValuesToBeOfType(column="granted", type_=BOOL,
                                         description="granted is a boolean"))

    # values (map expectations skip nulls: "when present")
    add(gxe.ExpectColumnValuesToBeInSet(
        column="event_type", value_set=list(EVENT_TYPES),
        description="event_type is one of tailor.events.EVENT_TYPES"))
    add(gxe.ExpectColumnValuesToMatchRegex(
        column="event_date", regex=DATE_REGEX, description="event_date looks like YYYY-MM-DD"))
    add(gxe.ExpectColumnValuesToBeInSet(
        column="channel", value_set=list(CHANNELS),
        description="channel, when present, is one of tailor.events.CHANNELS"))
    add(gxe.ExpectColumnValuesToBeBetween(
        column="price", min_value=0, description="price, when present, is >= 0"))
    add(gxe.ExpectColumnValuesToBeBetween(
        column="quantity", min_value=1, description="quantity, when present, is >= 1"))
    add(gxe.ExpectColumnValuesToBeBetween(
        column="send_hour", min_value=0, max_value=23,
        description="send_hour, when present, is an hour 0..23"))
    add(gxe.ExpectColumnValuesToBeBetween(
        column="discount", min_value=0, max_value=1,
        description="discount, when present, is a share in [0, 1]"))
    add(gxe.ExpectColumnValuesToBeBetween(
        column="propensity", min_value=0, max_value=1, strict_min=True,
        description="propensity, when present, is in (0, 1]"))
    return gx.ExpectationSuite(name=TABLE, expectations=expectations,
                               meta={"contract": __doc__.strip()})

"""Contract of ``bronze.quarantine``: landing lines that could not become events, with a reason.

Checked on one ``ingest_date`` partition (the validate job reads ``ingest_date == ds``). The
table only exists once a malformed line has been seen (``OPTIONAL``: no table = nothing to
check) and most partitions are empty: an empty partition is fine. *How many* lines are
quarantined is judged by ingest (``quality.max_quarantine_share``) and reported per reason in
``ops.quality`` (``jobs/quality_report.py``); this contract checks the rows themselves.

- Columns quarantine_id, landing_file, raw_line, reason, quarantined_at, ingest_date exist.
- ``quarantine_id`` (sha1 of landing file, relative to the landing root, + line) is non-null
  and unique: a line is quarantined once, even when ingest is rerun.
- ``landing_file`` (lineage), ``raw_line`` (the evidence, may be an empty string) and
  ``reason`` are non-null strings.
- ``reason`` is machine-readable: ``invalid_json``, ``not_an_object``, ``bad_ts`` or
  ``missing:`` / ``bad_type:`` / ``bad_value:`` / ``unknown_event_type:`` + a detail (see
  ``tailor.events.validate_event``), ``future_ts`` (dated beyond
  ``ingest.max_future_skew_seconds`` after it arrived) or ``conflicting_duplicate`` (an
  ``event_id`` bronze already holds with other content: ``tailor/ingestion/bronze.py``).
- ``quarantined_at`` is a non-null UTC timestamp; ``ingest_date`` the 'YYYY-MM-DD' partition.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.catalog import table

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "bronze.quarantine"
PARTITION_COLUMN = "ingest_date"
ID_COLUMN = "quarantine_id"
OPTIONAL = True

COLUMNS = table(TABLE).column_names
REASON_REGEX = (r"^(?:invalid_json|not_an_object|bad_ts|future_ts|conflicting_duplicate"
                r"|(?:missing|bad_type|bad_value|unknown_event_type):.+)$")


def build_suite() -> "gx.ExpectationSuite":
    """The ``bronze.quarantine`` expectation suite (a fresh object on every call)."""
    from great_expectations import expectations as gxe

    from tailor.expectations._rules import (
        date_string,
        has_columns,
        make_suite,
        not_null,
        strings,
        timestamps,
        unique,
    )

    return make_suite(
        TABLE, __doc__,
        has_columns(COLUMNS, TABLE),
        not_null(COLUMNS),
        unique("quarantine_id", "a landing line is quarantined once"),
        strings("quarantine_id", "landing_file", "raw_line", "reason", "ingest_date"),
        gxe.ExpectColumnValuesToMatchRegex(
            column="reason", regex=REASON_REGEX,
            description="reason is machine-readable (tailor.events.validate_event)"),
        timestamps("quarantined_at"),
        date_string("ingest_date"))

"""Contract of ``ops.ingest_log``: one row per landing file ingested (exactly once).

The table is unpartitioned; the validate job checks the rows of the run's ``ds``
(``ROW_FILTER_COLUMN = "ds"``). A day without new landing files has no rows (row count is a
*warning*, not a breach).

- Columns landing_file, content_hash, duplicate_of, rows_good, rows_quarantined, ds,
  ingested_at, bronze_version exist.
- ``landing_file`` (relative to the landing root) is a non-null string, unique among the day's
  rows (a file is ingested once).
- ``content_hash`` is the SHA-256 (64 hex digits) of the file's bytes (null only on rows
  migrated from a log that predates hashes, whose file was gone); ``duplicate_of`` names the
  file that brought the same content when this one was a re-delivery (its rows are then 0).
- ``rows_good`` and ``rows_quarantined`` are non-null integers >= 0.
- ``ds`` is the 'YYYY-MM-DD' run date; ``ingested_at`` a non-null UTC timestamp.
- ``bronze_version`` (lineage: the bronze.events version the file landed in) is an integer
  >= 0 when present (null when a run wrote no bronze commit).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.catalog import table

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "ops.ingest_log"
PARTITION_COLUMN = None
ROW_FILTER_COLUMN = "ds"
ID_COLUMN = "landing_file"

COLUMNS = table(TABLE).column_names


def build_suite() -> "gx.ExpectationSuite":
    """The ``ops.ingest_log`` expectation suite (a fresh object on every call)."""
    from great_expectations import expectations as gxe

    from tailor.expectations._rules import (
        date_string,
        has_columns,
        integer_at_least,
        make_suite,
        non_empty,
        not_null,
        strings,
        timestamps,
        unique,
    )

    return make_suite(
        TABLE, __doc__,
        non_empty("at least one landing file was ingested on ds", warn=True),
        has_columns(COLUMNS, TABLE),
        not_null(["landing_file", "rows_good", "rows_quarantined", "ds", "ingested_at"]),
        unique("landing_file", "a landing file is ingested once"),
        strings("landing_file", "content_hash", "duplicate_of"),
        gxe.ExpectColumnValuesToMatchRegex(
            column="content_hash", regex=r"^[0-9a-f]{64}$",
            description="content_hash is a SHA-256 in hex (tailor/ingestion/landing.py)"),
        integer_at_least("rows_good", 0),
        integer_at_least("rows_quarantined", 0),
        integer_at_least("bronze_version", 0),
        date_string("ds"),
        timestamps("ingested_at"))

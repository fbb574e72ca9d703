"""Contract of ``ops.quality``: quarantine rates per reason per day (``jobs/quality_report.py``).

Checked on one ``ds`` partition. A day without quarantined lines has no rows (fine).

- Columns reason, count, lines, share, ds, computed_at exist.
- ``reason`` is a non-null string, unique within the day (one row per reason).
- ``count`` is an integer >= 1 (a reason with no line has no row); ``lines`` (every line
  ingested on ds, good + quarantined) an integer >= 0.
- ``share`` = count / lines is a double in [0, 1] (null only when lines = 0).
- ``ds`` is the 'YYYY-MM-DD' partition; ``computed_at`` a non-null UTC timestamp.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.catalog import table

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "ops.quality"
PARTITION_COLUMN = "ds"
ID_COLUMN = "reason"
OPTIONAL = True  # written by the quality report task, after ingest

COLUMNS = table(TABLE).column_names


def build_suite() -> "gx.ExpectationSuite":
    """The ``ops.quality`` expectation suite (a fresh object on every call)."""
    from great_expectations import expectations as gxe

    from tailor.expectations._rules import (
        between,
        date_string,
        doubles,
        has_columns,
        integer_at_least,
        make_suite,
        not_null,
        strings,
        timestamps,
        unique,
    )

    return make_suite(
        TABLE, __doc__,
        has_columns(COLUMNS, TABLE),
        not_null(["reason", "count", "lines", "ds", "computed_at"]),
        unique("reason", "one row per reason"),
        strings("reason"),
        integer_at_least("count", 1),
        integer_at_least("lines", 0),
        doubles("share"),
        between("share", 0, 1, "share of lines is in [0, 1]"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="lines", column_B="count", or_equal=True,
            description="a reason never counts more lines than were ingested"),
        date_string("ds"),
        timestamps("computed_at"))

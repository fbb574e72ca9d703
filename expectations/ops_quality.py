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

from expectations import DATE_REGEX, FLOAT_TYPES, INT_TYPES, STRING, TZ_TIMESTAMP

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "ops.quality"
PARTITION_COLUMN = "ds"
ID_COLUMN = "reason"
OPTIONAL = True  # written by the quality report task, after ingest

COLUMNS = ["reason", "count", "lines", "share", "ds", "computed_at"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``ops.quality`` expectation suite (a fresh object on every call)."""
    import great_expectations as gx
    from great_expectations import expectations as gxe

    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=COLUMNS, exact_match=False,
        description="every ops.quality column exists (extra columns are allowed)"))
    for col in ["reason", "count", "lines", "ds", "computed_at"]:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"{col} is always set"))
    add(gxe.ExpectColumnValuesToBeUnique(column="reason", description="one row per reason"))
    add(gxe.ExpectColumnValuesToBeOfType(column="reason", type_=STRING,
                                         description="reason is a string"))
    for col, lo in [("count", 1), ("lines", 0)]:
        add(gxe.ExpectColumnValuesToBeInTypeList(column=col, type_list=INT_TYPES,
                                                 description=f"{col} is an integer"))
        add(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=lo,
                                              description=f"{col} is >= {lo}"))
    add(gxe.ExpectColumnValuesToBeInTypeList(column="share", type_list=FLOAT_TYPES,
                                             description="share is a double"))
    add(gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=1,
                                          description="share of lines is in [0, 1]"))
    add(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="lines", column_B="count", or_equal=True,
        description="a reason never counts more lines than were ingested"))
    add(gxe.ExpectColumnValuesToMatchRegex(column="ds", regex=DATE_REGEX,
                                           description="ds looks like YYYY-MM-DD"))
    add(gxe.ExpectColumnValuesToBeOfType(column="computed_at", type_=TZ_TIMESTAMP,
                                         description="computed_at is a UTC timestamp"))
    return gx.ExpectationSuite(name=TABLE, expectations=expectations,
                               meta={"contract": __doc__.strip()})

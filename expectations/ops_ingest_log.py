"""Contract of ``ops.ingest_log``: one row per landing file ingested (exactly once).

The table is unpartitioned; the validate job checks the rows of the run's ``ds``
(``ROW_FILTER_COLUMN = "ds"``). A day without new landing files has no rows (row count is a
*warning*, not a breach).

- Columns landing_file, rows_good, rows_quarantined, ds, ingested_at, bronze_version exist.
- ``landing_file`` is a non-null string, unique among the day's rows (a file is ingested once).
- ``rows_good`` and ``rows_quarantined`` are non-null integers >= 0.
- ``ds`` is the 'YYYY-MM-DD' run date; ``ingested_at`` a non-null UTC timestamp.
- ``bronze_version`` (lineage: the bronze.events version the file landed in) is an integer
  >= 0 when present (null when a run wrote no bronze commit).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from expectations import DATE_REGEX, INT_TYPES, STRING, TZ_TIMESTAMP

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "ops.ingest_log"
PARTITION_COLUMN = None
ROW_FILTER_COLUMN = "ds"
ID_COLUMN = "landing_file"

COLUMNS = ["landing_file", "rows_good", "rows_quarantined", "ds", "ingested_at",
           "bronze_version"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``ops.ingest_log`` expectation suite (a fresh object on every call)."""
    import great_expectations as gx
    from great_expectations import expectations as gxe
    from great_expectations.expectations.metadata_types import FailureSeverity

    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableRowCountToBeBetween(
        min_value=1, severity=FailureSeverity.WARNING,
        description="at least one landing file was ingested on ds"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=COLUMNS, exact_match=False,
        description="every ops.ingest_log column exists (extra columns are allowed)"))
    for col in ["landing_file", "rows_good", "rows_quarantined", "ds", "ingested_at"]:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"{col} is always set"))
    add(gxe.ExpectColumnValuesToBeUnique(column="landing_file",
                                         description="a landing file is ingested once"))
    add(gxe.ExpectColumnValuesToBeOfType(column="landing_file", type_=STRING,
                                         description="landing_file is a string"))
    for col in ["rows_good", "rows_quarantined", "bronze_version"]:
        add(gxe.ExpectColumnValuesToBeInTypeList(column=col, type_list=INT_TYPES,
                                                 description=f"{col} is an integer"))
        add(gxe.ExpectColumnValuesToBeBetween(column=col, min_value=0,
                                              description=f"{col} is >= 0"))
    add(gxe.ExpectColumnValuesToMatchRegex(column="ds", regex=DATE_REGEX,
                                           description="ds looks like YYYY-MM-DD"))
    add(gxe.ExpectColumnValuesToBeOfType(column="ingested_at", type_=TZ_TIMESTAMP,
                                         description="ingested_at is a UTC timestamp"))
    return gx.ExpectationSuite(name=TABLE, expectations=expectations,
                               meta={"contract": __doc__.strip()})

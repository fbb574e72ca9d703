"""Contract of ``gold.recommendations``: the top-K ranked items per person per ``ds``.

Checked on one ``ds`` partition (the validate job reads ``ds == ds``).

- The partition is not empty; columns person_id, item_id, score, rank, ds, ranker_version
  exist (extra columns are allowed).
- ``person_id``, ``item_id``, ``score``, ``rank``, ``ranker_version`` are non-null.
- An item is recommended to a person at most once: ``(person_id, item_id)`` is unique.
- Ranks are distinct per person: ``(person_id, rank)`` is unique; ``rank`` is an integer >= 1.
- ``score`` is a finite double (the ranker's raw margin: it may be negative).
- ``ds`` is the 'YYYY-MM-DD' partition value.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from expectations import DATE_REGEX, FLOAT_TYPES, INT_TYPES, STRING

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "gold.recommendations"
PARTITION_COLUMN = "ds"
ID_COLUMN = "person_id"

COLUMNS = ["person_id", "item_id", "score", "rank", "ds", "ranker_version"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``gold.recommendations`` expectation suite (a fresh object on every call)."""
    import great_expectations as gx
    from great_expectations import expectations as gxe

    from expectations._rules import MAX_FLOAT

    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableRowCountToBeBetween(min_value=1,
                                           description="the ds partition holds recommendations"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=COLUMNS, exact_match=False,
        description="every gold.recommendations column exists (extra columns are allowed)"))
    for col in COLUMNS:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"{col} is always set"))
    add(gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["person_id", "item_id"],
        description="an item is recommended to a person at most once"))
    add(gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["person_id", "rank"], description="ranks are distinct per person"))
    for col in ["person_id", "item_id", "ranker_version", "ds"]:
        add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=STRING,
                                             description=f"{col} is a string"))
    add(gxe.ExpectColumnValuesToBeInTypeList(column="rank", type_list=INT_TYPES,
                                             description="rank is an integer"))
    add(gxe.ExpectColumnValuesToBeBetween(column="rank", min_value=1,
                                          description="rank is >= 1 (1 = best)"))
    add(gxe.ExpectColumnValuesToBeInTypeList(column="score", type_list=FLOAT_TYPES,
                                             description="score is a double"))
    add(gxe.ExpectColumnValuesToBeBetween(column="score", min_value=-MAX_FLOAT,
                                          max_value=MAX_FLOAT, description="score is finite"))
    add(gxe.ExpectColumnValuesToMatchRegex(column="ds", regex=DATE_REGEX,
                                           description="ds looks like YYYY-MM-DD"))
    return gx.ExpectationSuite(name=TABLE, expectations=expectations,
                               meta={"contract": __doc__.strip()})

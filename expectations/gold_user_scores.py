"""Contract of ``gold.user_scores``: LTV and churn risk per person per ``ds``.

Checked on one ``ds`` partition (the validate job reads ``ds == ds``).

- The partition is not empty; columns person_id, ltv_pred, churn_prob, ltv_version,
  churn_version, ds exist (extra columns are allowed: more scores may come).
- ``person_id`` is a non-null string, unique within the ds (one score row per person).
- ``ltv_pred`` is a non-null double >= 0 (and finite).
- ``churn_prob`` is a non-null double in [0, 1].
- ``ltv_version`` and ``churn_version`` (provenance: the MLflow model versions) are non-null.
- ``ds`` is the 'YYYY-MM-DD' partition value.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from expectations import DATE_REGEX, FLOAT_TYPES, STRING

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "gold.user_scores"
PARTITION_COLUMN = "ds"
ID_COLUMN = "person_id"

COLUMNS = ["person_id", "ltv_pred", "churn_prob", "ltv_version", "churn_version", "ds"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``gold.user_scores`` expectation suite (a fresh object on every call)."""
    import great_expectations as gx
    from great_expectations import expectations as gxe

    from expectations._rules import MAX_FLOAT

    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableRowCountToBeBetween(min_value=1, description="the ds partition holds scores"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=COLUMNS, exact_match=False,
        description="every gold.user_scores column exists (extra columns are allowed)"))
    for col in COLUMNS:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"{col} is always set"))
    add(gxe.ExpectColumnValuesToBeUnique(column="person_id",
                                         description="one score row per person per ds"))
    for col in ["person_id", "ltv_version", "churn_version", "ds"]:
        add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=STRING,
                                             description=f"{col} is a string"))
    for col in ["ltv_pred", "churn_prob"]:
        add(gxe.ExpectColumnValuesToBeInTypeList(column=col, type_list=FLOAT_TYPES,
                                                 description=f"{col} is a double"))
    add(gxe.ExpectColumnValuesToBeBetween(column="ltv_pred", min_value=0, max_value=MAX_FLOAT,
                                          description="ltv_pred is finite and >= 0"))
    add(gxe.ExpectColumnValuesToBeBetween(column="churn_prob", min_value=0, max_value=1,
                                          description="churn_prob is a probability in [0, 1]"))
    add(gxe.ExpectColumnValuesToMatchRegex(column="ds", regex=DATE_REGEX,
                                           description="ds looks like YYYY-MM-DD"))
    return gx.ExpectationSuite(name=TABLE, expectations=expectations,
                               meta={"contract": __doc__.strip()})

"""Contract of ``gold.user_scores``: LTV and churn risk per person per ``ds``.

Checked on one ``ds`` partition (the validate job reads ``ds == ds``).

- The partition is not empty; columns person_id, ltv_pred, churn_prob, ltv_version,
  churn_version, ds, ltv_lifetime, ltv_lifetime_days exist (extra columns are allowed: more scores may come).
- ``person_id`` is a non-null string, unique within the ds (one score row per person).
- ``ltv_pred`` is a non-null double >= 0 (and finite).
- ``ltv_lifetime`` (ltv_pred carried to the lifetime) is a non-null double >= 0 (and finite);
  ``ltv_lifetime_days`` is a positive integer.
- ``churn_prob`` is a non-null double in [0, 1].
- ``ltv_version`` and ``churn_version`` (provenance: the MLflow model versions) are non-null.
- ``ds`` is the 'YYYY-MM-DD' partition value.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.catalog import table

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "gold.user_scores"
PARTITION_COLUMN = "ds"
ID_COLUMN = "person_id"

PROVENANCE = ["ltv_version", "churn_version"]  # the MLflow model versions that scored
COLUMNS = table(TABLE).column_names


def build_suite() -> "gx.ExpectationSuite":
    """The ``gold.user_scores`` expectation suite (a fresh object on every call)."""
    from tailor.expectations._rules import (
        MAX_FLOAT,
        between,
        date_string,
        doubles,
        has_columns,
        integer_at_least,
        make_suite,
        non_empty,
        not_null,
        strings,
        unique,
    )

    return make_suite(
        TABLE, __doc__,
        non_empty("the ds partition holds scores"),
        has_columns(COLUMNS, TABLE),
        not_null(COLUMNS),
        unique("person_id", "one score row per person per ds"),
        strings("person_id", *PROVENANCE, "ds"),
        doubles("ltv_pred", "churn_prob", "ltv_lifetime"),
        between("ltv_pred", 0, MAX_FLOAT, "ltv_pred is finite and >= 0"),
        between("ltv_lifetime", 0, MAX_FLOAT, "ltv_lifetime is finite and >= 0"),
        integer_at_least("ltv_lifetime_days", 1, "the lifetime covers at least a day"),
        between("churn_prob", 0, 1, "churn_prob is a probability in [0, 1]"),
        date_string("ds"))

"""Contract of ``gold.decisions``: the precomputed policy, one decision row per person per ``ds``.

Checked on one ``ds`` partition at a time (the validate job reads ``ds == ds``).

- The partition is not empty, and every column of the table exists: person_id, ds,
  policy_version, items, item_scores, action_id, channel, send_hour, offer, discount,
  propensity, exploration, holdout, allowed_channels, guardrails, explanation, ltv_pred,
  churn_prob, model_versions, feature_versions, data_versions, decided_at.
- ``person_id`` is a non-null string, unique within the ds (one decision per person).
- ``ds`` is a non-null 'YYYY-MM-DD' string; ``policy_version`` and ``action_id`` are non-null.
- ``channel`` is one of ``tailor.events.CHANNELS`` or null, and null **iff**
  ``action_id == 'no_message'``: a message always names its channel, "do nothing" never does.
- ``send_hour`` is an integer in 0..23 or null; ``discount`` in [0, 1] when present.
- ``propensity`` is non-null and in (0, 1] (it becomes the denominator of off-policy estimates).
- ``exploration`` and ``holdout`` are booleans.
- ``explanation`` is a non-null, non-empty string (every decision can be explained).
- ``ltv_pred`` >= 0 and ``churn_prob`` in [0, 1] when present.
- ``model_versions``, ``feature_versions`` and ``data_versions`` are non-null JSON strings
  (provenance of the decision).
- ``decided_at`` is a timezone-aware (UTC) timestamp.
- Every element of ``items`` has a score: ``len(items) == len(item_scores)``.
- **Governance (consent):** a chosen ``channel`` is one of the person's ``allowed_channels``.
- **Governance (holdout):** holdout rows never message: ``holdout`` ⇒ ``action_id == 'no_message'``.

The two list-valued rules (alignment and consent) compare a value with a list in the *same
row*, which no built-in GX expectation can express on pandas (row conditions are
``DataFrame.query`` filters, ``UnexpectedRowsExpectation`` is SQL-only). :func:`prepare` computes
one boolean helper column per rule (``_items_scored``, ``_channel_consented``) before
validation, and the suite expects them to be all true. The helper logic lives next to the
suite, is unit-tested with it, and the failing rows still show up as unexpected counts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tailor.catalog import table
from tailor.events import CHANNELS

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

TABLE = "gold.decisions"
PARTITION_COLUMN = "ds"
ID_COLUMN = "person_id"
NO_MESSAGE = "no_message"

COLUMNS = table(TABLE).column_names
PROVENANCE = ["model_versions", "feature_versions", "data_versions"]

CONSENT_COLUMN = "_channel_consented"
ALIGNED_COLUMN = "_items_scored"


def _is_missing(value: Any) -> bool:
    """None / NaN / pd.NA; a list or array (even an empty one) is a value."""
    import pandas as pd

    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _as_list(value: Any) -> list | None:
    """A list cell as read from Arrow (numpy array), built in pandas (list), or null."""
    if _is_missing(value):
        return None
    return list(value)


def channel_consented(channel: Any, allowed_channels: Any) -> bool:
    """True when no channel is chosen, or the chosen one is in ``allowed_channels``."""
    if _is_missing(channel):
        return True
    allowed = _as_list(allowed_channels)
    return allowed is not None and channel in allowed


def items_scored(items: Any, item_scores: Any) -> bool:
    """True when ``items`` and ``item_scores`` are both null or have the same length."""
    a, b = _as_list(items), _as_list(item_scores)
    if a is None or b is None:
        return a is None and b is None
    return len(a) == len(b)


def prepare(df: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``df`` with the helper columns the cross-column rules check.

    Missing source columns leave the helper out, so the column-set expectation reports the
    missing column instead of this function raising.
    """
    out = df.copy()
    if {"channel", "allowed_channels"} <= set(df.columns):
        out[CONSENT_COLUMN] = [channel_consented(c, a)
                               for c, a in zip(df["channel"], df["allowed_channels"])]
    if {"items", "item_scores"} <= set(df.columns):
        out[ALIGNED_COLUMN] = [items_scored(i, s)
                               for i, s in zip(df["items"], df["item_scores"])]
    return out


def build_suite() -> "gx.ExpectationSuite":
    """The ``gold.decisions`` expectation suite (a fresh object on every call)."""
    from great_expectations import expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    from tailor.expectations._rules import (
        all_true,
        at_least,
        between,
        booleans,
        date_string,
        doubles,
        has_columns,
        in_set,
        integers,
        make_suite,
        non_empty,
        not_null,
        strings,
        timestamps,
        unique,
    )

    return make_suite(
        TABLE, __doc__,
        non_empty("the ds partition holds decisions"),
        has_columns(COLUMNS, TABLE),
        not_null({"person_id": "every decision is for a person",
                  "ds": "every row has its partition value",
                  "policy_version": "every decision names the policy that made it",
                  "action_id": "every decision names its action (or 'no_message')",
                  "propensity": "every decision logs its propensity",
                  "explanation": "every decision can be explained",
                  **{c: f"provenance: {c} is recorded" for c in PROVENANCE}}),
        unique("person_id", "one decision per person per ds"),
        # types
        strings("person_id", "ds", "policy_version", "action_id", "channel", "explanation",
                *PROVENANCE),
        doubles("discount", "propensity", "ltv_pred", "churn_prob"),
        integers("send_hour"),
        booleans("exploration", "holdout"),
        timestamps("decided_at", noun="a timezone-aware timestamp"),
        # values
        date_string("ds"),
        in_set("channel", CHANNELS, "channel, when present, is one of tailor.events.CHANNELS"),
        gxe.ExpectColumnValuesToBeNull(
            column="channel", row_condition=Column("action_id") == NO_MESSAGE,
            description="'no_message' decisions have no channel"),
        gxe.ExpectColumnValuesToNotBeNull(
            column="channel", row_condition=Column("action_id") != NO_MESSAGE,
            description="message decisions name their channel"),
        between("send_hour", 0, 23, "send_hour, when present, is an hour 0..23"),
        between("discount", 0, 1, "discount, when present, is a share in [0, 1]"),
        between("propensity", 0, 1, "propensity is in (0, 1]", strict_min=True),
        gxe.ExpectColumnValueLengthsToBeBetween(
            column="explanation", min_value=1, description="explanation is not empty"),
        at_least("ltv_pred", 0, "ltv_pred, when present, is >= 0"),
        between("churn_prob", 0, 1, "churn_prob, when present, is a probability in [0, 1]"),
        [gxe.ExpectColumnValuesToBeJsonParseable(
            column=c, description=f"provenance: {c} is a JSON string") for c in PROVENANCE],
        # list-valued and governance rules (helper columns from prepare())
        all_true(ALIGNED_COLUMN, "every item in items has a score in item_scores (equal lengths)"),
        all_true(CONSENT_COLUMN,
                 "governance: a chosen channel is one of the person's allowed_channels"),
        in_set("action_id", [NO_MESSAGE],
               "governance: holdout persons are never messaged (action_id 'no_message')",
               row_condition=Column("holdout") == True))  # noqa: E712

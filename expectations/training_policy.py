"""Contract of ``training.policy``: logged decision points with their outcomes and context
(``jobs/policy_outcomes.py``, ``features/outcomes.py``).

Checked on the decision days the run for ``ds`` writes (``policy.outcomes``). Empty is fine
(data without a decision log, e.g. CDNOW: the policy then has nothing to learn from).

- The catalog's columns exist; ``decision_id`` is unique; keys and outcomes are never null.
- ``source`` is ``decision_served`` or ``message_sent``; ``action_id`` is ``no_message`` exactly
  when ``channel`` is null.
- ``propensity``, when logged, is in (0, 1]; ``conversions`` is an integer >= 0,
  ``conversion_value`` >= 0, ``action_cost`` >= 0; ``reward`` = conversion_value − action_cost.
- ``usable_for_ope`` holds exactly for rows with a logged propensity and no override.
- Governance: a logged message's channel was allowed by consent at the decision (a warning:
  the consent reconstruction and the logger may disagree at the edges of a change).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tailor.catalog import table

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

    from tailor.config import Config

TABLE = "training.policy"
PARTITION_COLUMN = "decision_date"
ID_COLUMN = "decision_id"
OPTIONAL = True
COLUMNS = table(TABLE).column_names
REWARD_OK, USABLE_OK, CONSENT_OK, NONE_OK = ("_reward_is_value_minus_cost", "_usable_iff_weightable",
                                             "_message_channel_was_allowed",
                                             "_no_message_iff_no_channel")


def partitions(ds: str, cfg: "Config | None" = None) -> dict[str, Any]:
    """The decision days the policy_outcomes run for ``ds`` writes (the job's own function)."""
    from tailor.features.outcomes import decision_days

    if cfg is None:
        from tailor.config import get_config

        cfg = get_config()
    o = cfg.policy.outcomes
    return {PARTITION_COLUMN: decision_days(ds, o.lookback_days, o.attribution_hours)}


def prepare(df: "pd.DataFrame") -> "pd.DataFrame":
    out = df.copy()
    out[REWARD_OK] = (out["reward"] - (out["conversion_value"] - out["action_cost"])).abs() < 1e-6
    weightable = (out["propensity"].notna() & (out["propensity"] > 0) & (out["propensity"] <= 1)
                  & out["overridden_by"].isna())
    out[USABLE_OK] = out["usable_for_ope"].astype(bool) == weightable
    out[NONE_OK] = (out["action_id"] == "no_message") == out["channel"].isna()
    out[CONSENT_OK] = [c is None or (a is not None and c in list(a))
                       for c, a in zip(out["channel"], out["allowed_channels"])]
    return out


def build_suite() -> "gx.ExpectationSuite":
    """The ``training.policy`` expectation suite (a fresh object on every call)."""
    from tailor.expectations._rules import (
        all_true,
        at_least,
        between,
        has_columns,
        in_set,
        integer_at_least,
        make_suite,
        not_null,
        unique,
    )

    return make_suite(
        TABLE, __doc__,
        has_columns(COLUMNS, TABLE),
        not_null(["person_id", "decision_id", "decided_at", "decision_date", "source", "action_id",
                  "conversions", "conversion_value", "unsubscribed", "action_cost", "reward",
                  "usable_for_ope", "known_at"]),
        unique("decision_id", "one row per logged decision"),
        in_set("source", ["decision_served", "message_sent"], "a decision is served or sent"),
        between("propensity", 0, 1, "a logged propensity is a probability", strict_min=True),
        integer_at_least("conversions", 0),
        at_least("conversion_value", 0), at_least("action_cost", 0),
        all_true(REWARD_OK, "reward = conversion_value - action_cost"),
        all_true(USABLE_OK, "usable_for_ope = logged propensity in (0, 1] and no override"),
        all_true(NONE_OK, "no_message exactly when there is no channel"),
        all_true(CONSENT_OK, "a logged message's channel was allowed by consent", warn=True),
    )

"""Contract of ``ops.incrementality``: treated vs holdout outcomes per decision day and channel
(``jobs/incrementality.py``).

Checked on one ``ds`` partition (the days that run evaluated). A run with no complete decision
day left to evaluate writes no rows (fine).

- Every column of the table exists; ds, decision_ds, window_days, channel, comparison, the three
  counts, ci_method, confidence and computed_at are never null.
- One row per (decision_ds, channel).
- ``channel`` is ``all`` or one of ``tailor.events.CHANNELS``; ``comparison`` is ``randomised``
  exactly on the ``all`` rows and ``selected`` on the channel rows.
- Counts are integers >= 0, and ``n_messaged`` <= ``n_treated``.
- Conversion rates are in [0, 1], their difference in [-1, 1]; revenue per person is >= 0.
- Every interval brackets its difference: ``ci_low <= diff <= ci_high`` (when there is one).
- The window was complete when evaluated: ``decision_ds + window_days <= ds``; ``window_days``
  >= 1 and ``confidence`` in (0, 1).
- ``ds`` and ``decision_ds`` are 'YYYY-MM-DD' strings; ``computed_at`` a UTC timestamp.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tailor.catalog import table
from tailor.events import CHANNELS

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

TABLE = "ops.incrementality"
PARTITION_COLUMN = "ds"
ID_COLUMN = "decision_ds"
OPTIONAL = True  # written by the incrementality task, after decide

COLUMNS = table(TABLE).column_names
COUNTS = ["n_treated", "n_messaged", "n_holdout"]
METRICS = ["conv_rate", "revenue_pp"]
BRACKETED = "_ci_brackets_diff"
WINDOW_DONE = "_window_complete"


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def brackets(low: Any, diff: Any, high: Any) -> bool:
    """True when there is no interval, or it holds the difference."""
    if _missing(low) or _missing(high):
        return True
    return not _missing(diff) and float(low) <= float(diff) <= float(high)


def window_complete(decision_ds: Any, window_days: Any, ds: Any) -> bool:
    try:
        return (date.fromisoformat(str(decision_ds)) + timedelta(days=int(window_days))
                <= date.fromisoformat(str(ds)))
    except (TypeError, ValueError):
        return False


def prepare(df: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``df`` with the helper columns of the cross-column rules."""
    out = df.copy()
    needed = {f"{m}_{s}" for m in METRICS for s in ("ci_low", "diff", "ci_high")}
    if needed <= set(df.columns):
        out[BRACKETED] = [all(brackets(r[f"{m}_ci_low"], r[f"{m}_diff"], r[f"{m}_ci_high"])
                              for m in METRICS) for _, r in df.iterrows()]
    if {"decision_ds", "window_days", "ds"} <= set(df.columns):
        out[WINDOW_DONE] = [window_complete(d, w, s) for d, w, s in
                            zip(df["decision_ds"], df["window_days"], df["ds"])]
    return out


def build_suite() -> "gx.ExpectationSuite":
    """The ``ops.incrementality`` expectation suite (a fresh object on every call)."""
    from great_expectations import expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    from tailor.expectations._rules import (
        all_true,
        at_least,
        between,
        date_string,
        doubles,
        has_columns,
        in_set,
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
        not_null(["ds", "decision_ds", "window_days", "channel", "comparison", *COUNTS,
                  "ci_method", "confidence", "computed_at"]),
        unique(["decision_ds", "channel"], "one row per decision day and channel"),
        strings("channel", "comparison", "ci_method"),
        in_set("channel", ["all", *CHANNELS], "channel is 'all' or one of tailor.events.CHANNELS"),
        in_set("comparison", ["randomised"], "the 'all' row is the randomised comparison",
               row_condition=Column("channel") == "all"),
        in_set("comparison", ["selected"], "a channel row compares a selected group",
               row_condition=Column("channel") != "all"),
        [e for c in COUNTS for e in integer_at_least(c, 0)],
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="n_treated", column_B="n_messaged", or_equal=True,
            description="messaged persons are among the treated"),
        doubles("conv_rate_treated", "conv_rate_holdout", "conv_rate_diff",
                "revenue_pp_treated", "revenue_pp_holdout", "revenue_pp_diff", "confidence"),
        between("conv_rate_treated", 0, 1, "a conversion rate is a share"),
        between("conv_rate_holdout", 0, 1, "a conversion rate is a share"),
        between("conv_rate_diff", -1, 1, "a difference of two shares is in [-1, 1]"),
        at_least("revenue_pp_treated", 0, "revenue per person is >= 0"),
        at_least("revenue_pp_holdout", 0, "revenue per person is >= 0"),
        all_true(BRACKETED, "every confidence interval holds its difference"),
        all_true(WINDOW_DONE, "a day is evaluated only once its outcome window is complete"),
        integer_at_least("window_days", 1),
        between("confidence", 0, 1, "confidence is in (0, 1)", strict_min=True),
        date_string("ds"), date_string("decision_ds"),
        timestamps("computed_at"))

"""Building blocks shared by several suites (imported inside ``build_suite``: it imports GX).

- :func:`forbid_columns`: a table-level expectation that *none* of some columns exist (GX has
  ``expect_column_to_exist`` but no negation); used for governance (no direct identifiers).
- :func:`numeric_rules`: for every numeric column of a frame: not null / NaN and within bounds
  (which also rules out ±inf). Bounds come from explicit declarations first, then from the
  naming conventions in :data:`CONVENTIONS` (``*_share``/``*_rate``/``*_response``/``*_prob`` in
  [0, 1], ``*hour`` in 0..23, ``*_rank`` >= 1, counts / amounts / durations >= 0), else
  "finite" only. Suites for tables whose columns change with the code that writes them
  (feature groups, training sets) are built from the frame with these.
"""
from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, Iterable, Mapping

if TYPE_CHECKING:
    import pandas as pd

MAX_FLOAT = sys.float_info.max  # "between -MAX and MAX" is "finite": NaN is null, ±inf is out

# (regex on the column name, min, max, the rule in words); the first match wins
CONVENTIONS: list[tuple[str, float | None, float | None, str]] = [
    (r"(_share|_rate|_response|_prob|_probability)$", 0.0, 1.0,
     "a share / rate / probability in [0, 1]"),
    (r"(^|_)hour$", 0, 23, "an hour of the day 0..23"),
    (r"(^|_)rank$", 1, None, "a rank >= 1"),
    (r"^(views|carts|purchases|orders|messages|sends|opens|clicks|links)(_|$)"
     r"|_(views|carts|purchases|orders|sends|count)$"
     r"|^(frequency|monetary|tenure_days|recency_days|avg_order_value|price|popularity)$"
     r"|^(days_since|hours_since|spend)_",
     0, None, "a count / amount / duration >= 0"),
]


def bounds_for(column: str, declared: Mapping[str, tuple[float | None, float | None]] | None = None
               ) -> tuple[float | None, float | None, str]:
    """(min, max, why) for ``column``: declared bounds, else the naming convention, else none."""
    if declared and column in declared:
        lo, hi = declared[column]
        return lo, hi, "declared bounds"
    for pattern, lo, hi, why in CONVENTIONS:
        if re.search(pattern, column):
            return lo, hi, why
    return None, None, "finite"


def numeric_columns(frame: "pd.DataFrame", exclude: Iterable[str] = ()) -> list[str]:
    """Numeric (not boolean) columns of ``frame`` outside ``exclude``, in frame order."""
    import pandas as pd

    skip = set(exclude)
    return [c for c in frame.columns
            if c not in skip and not c.startswith("_")
            and pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]


def numeric_rules(frame: "pd.DataFrame", exclude: Iterable[str] = (),
                  nullable: Iterable[str] = (),
                  declared: Mapping[str, tuple[float | None, float | None]] | None = None,
                  what: str = "feature") -> list[Any]:
    """Not-null and bounds expectations for every numeric column of ``frame``.

    Columns in ``nullable`` get a *warning*-severity not-null check (reported, no breach): a
    declared "may be missing" value (XGBoost treats missing natively). Their present values
    still have to be finite and within bounds.
    """
    from great_expectations import expectations as gxe
    from great_expectations.expectations.metadata_types import FailureSeverity

    allowed_null = set(nullable)
    out: list[Any] = []
    for col in numeric_columns(frame, exclude):
        if col in allowed_null:
            out.append(gxe.ExpectColumnValuesToNotBeNull(
                column=col, severity=FailureSeverity.WARNING,
                description=f"{what} {col} is mostly set (declared nullable: reported, no breach)"))
        else:
            out.append(gxe.ExpectColumnValuesToNotBeNull(
                column=col, description=f"{what} {col} is never null / NaN"))
        lo, hi, why = bounds_for(col, declared)
        out.append(gxe.ExpectColumnValuesToBeBetween(
            column=col, min_value=-MAX_FLOAT if lo is None else lo,
            max_value=MAX_FLOAT if hi is None else hi,
            description=f"{what} {col} is finite" + ("" if why == "finite" else f": {why}")))
    return out


def forbid_columns(columns: Iterable[str], description: str) -> Any:
    """An expectation that fails when any of ``columns`` exists (observed: the ones present)."""
    from expectations._gx_custom import ExpectTableColumnsToNotInclude

    return ExpectTableColumnsToNotInclude(column_set=sorted(columns), description=description)

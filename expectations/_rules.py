"""Building blocks shared by several suites (imported inside ``build_suite``: it imports GX).

- :func:`forbid_columns`: a table-level expectation that *none* of some columns exist (GX has
  ``expect_column_to_exist`` but no negation); used for governance (no direct identifiers).
- :func:`numeric_rules`: for every numeric column of a frame: not null / NaN and within bounds
  (which also rules out ±inf). Bounds come from explicit declarations first, then from the
  naming conventions in :data:`CONVENTIONS` (``*_share``/``*_rate``/``*_response``/``*_prob`` in
  [0, 1], ``*hour`` in 0..23, ``*_rank`` >= 1, counts / amounts / durations >= 0), else
  "finite" only. Suites for tables whose columns change with the code that writes them
  (feature groups, training sets) are built from the frame with these.
- The scaffolding every suite repeats, so a suite module reads as the rules of its own table:
  :func:`make_suite` (name + contract text), :func:`non_empty`, :func:`has_columns`,
  :func:`not_null`, :func:`unique`, the type checks (:func:`strings`, :func:`timestamps`,
  :func:`doubles`, :func:`integers`, :func:`booleans`), and the value checks
  (:func:`between`, :func:`at_least`, :func:`integer_at_least`, :func:`in_set`,
  :func:`all_true`, :func:`date_string`).
"""
from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from tailor.expectations import BOOL, DATE_REGEX, FLOAT_TYPES, INT_TYPES, STRING, TZ_TIMESTAMP

if TYPE_CHECKING:
    import great_expectations as gx
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
    from tailor.expectations._gx_custom import ExpectTableColumnsToNotInclude

    return ExpectTableColumnsToNotInclude(column_set=sorted(columns), description=description)


# ------------------------------------------------------------------ scaffolding of every suite
# Each builder returns one expectation or a list of them; make_suite flattens both.

def make_suite(table: str, doc: str | None, *parts: Any, **meta: Any) -> "gx.ExpectationSuite":
    """A fresh suite named ``table`` from ``parts`` (expectations or lists of them), in order.

    The expectations are handed to the constructor: in GX 1.24 ``suite.add_expectation()``
    needs an active data context even for an unsaved suite. ``meta["contract"]`` carries the
    contract in words (the suite module's docstring) into every report.
    """
    import great_expectations as gx

    expectations: list[Any] = []
    for part in parts:  # GX expectations are pydantic models, which iterate over their fields
        if isinstance(part, (list, tuple)):
            expectations.extend(part)
        else:
            expectations.append(part)
    return gx.ExpectationSuite(name=table, expectations=expectations,
                               meta={"contract": (doc or "").strip(), **meta})


def non_empty(description: str, *, warn: bool = False) -> Any:
    """At least one row; ``warn``: reported, no breach (a quiet day is suspicious, not wrong)."""
    from great_expectations import expectations as gxe
    from great_expectations.expectations.metadata_types import FailureSeverity

    if warn:
        return gxe.ExpectTableRowCountToBeBetween(min_value=1, severity=FailureSeverity.WARNING,
                                                  description=description)
    return gxe.ExpectTableRowCountToBeBetween(min_value=1, description=description)


def has_columns(columns: Sequence[str], table: str | None = None, *,
                description: str | None = None, exact: bool = False) -> Any:
    """``columns`` exist (``exact``: and no other); extra columns are allowed by default."""
    from great_expectations import expectations as gxe

    return gxe.ExpectTableColumnsToMatchSet(
        column_set=list(columns), exact_match=exact,
        description=description or f"every {table} column exists (extra columns are allowed)")


def not_null(columns: Iterable[str] | Mapping[str, str]) -> list[Any]:
    """Never-null checks; a mapping gives each column's reason, else "<col> is always set"."""
    from great_expectations import expectations as gxe

    why = columns if isinstance(columns, Mapping) else {c: f"{c} is always set" for c in columns}
    return [gxe.ExpectColumnValuesToNotBeNull(column=c, description=d) for c, d in why.items()]


def unique(key: str | Sequence[str], description: str) -> Any:
    """``key`` (a column, or a compound key of several) is unique."""
    from great_expectations import expectations as gxe

    cols = [key] if isinstance(key, str) else list(key)
    if len(cols) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=cols[0], description=description)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=cols, description=description)


def _of_type(columns: Iterable[str], type_: str, noun: str) -> list[Any]:
    from great_expectations import expectations as gxe

    return [gxe.ExpectColumnValuesToBeOfType(column=c, type_=type_, description=f"{c} is {noun}")
            for c in columns]


def _in_types(columns: Iterable[str], types: list[str], noun: str) -> list[Any]:
    from great_expectations import expectations as gxe

    return [gxe.ExpectColumnValuesToBeInTypeList(column=c, type_list=types,
                                                 description=f"{c} is {noun}")
            for c in columns]


def strings(*columns: str) -> list[Any]:
    """Each column holds strings (object columns: checked value by value, nulls skipped)."""
    return _of_type(columns, STRING, "a string")


def timestamps(*columns: str, noun: str = "a UTC timestamp") -> list[Any]:
    """Each column is a timezone-aware timestamp (Delta timestamps read back as tz=UTC)."""
    return _of_type(columns, TZ_TIMESTAMP, noun)


def booleans(*columns: str) -> list[Any]:
    """Each column is a (numpy or nullable) boolean."""
    return _of_type(columns, BOOL, "a boolean")


def doubles(*columns: str) -> list[Any]:
    """Each column is a float (numpy or pandas-nullable)."""
    return _in_types(columns, FLOAT_TYPES, "a double")


def integers(*columns: str) -> list[Any]:
    """Each column is an integer (numpy or pandas-nullable: ints with nulls stay Int64)."""
    return _in_types(columns, INT_TYPES, "an integer")


def between(column: str, lo: float | None, hi: float | None, description: str, *,
            strict_min: bool = False) -> Any:
    """Values, when present, within [lo, hi] (None: unbounded; ``strict_min``: (lo, hi])."""
    from great_expectations import expectations as gxe

    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi,
                                             strict_min=strict_min, description=description)


def at_least(column: str, lo: float, description: str | None = None) -> Any:
    """Values, when present, are >= ``lo``."""
    return between(column, lo, None, description or f"{column} is >= {lo}")


def integer_at_least(column: str, lo: int, description: str | None = None) -> list[Any]:
    """An integer column whose values are >= ``lo`` (counts, ranks, versions)."""
    return [*integers(column), at_least(column, lo, description)]


def in_set(column: str, values: Iterable[Any], description: str, **kwargs: Any) -> Any:
    """Values, when present, are among ``values`` (``kwargs``: e.g. a ``row_condition``)."""
    from great_expectations import expectations as gxe

    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values),
                                           description=description, **kwargs)


def all_true(helper_column: str, description: str, *, warn: bool = False) -> Any:
    """Every row passes a rule :func:`prepare` computed into a boolean helper column.

    For rules no built-in GX expectation can express on pandas (a value against a list in
    the same row, a property of a group of rows); failing rows still count as unexpected.
    ``warn``: reported, no breach.
    """
    if warn:
        from great_expectations.expectations.metadata_types import FailureSeverity

        return in_set(helper_column, [True], description, severity=FailureSeverity.WARNING)
    return in_set(helper_column, [True], description)


def date_string(column: str) -> Any:
    """``column`` is a 'YYYY-MM-DD' string (partition and run dates)."""
    from great_expectations import expectations as gxe

    return gxe.ExpectColumnValuesToMatchRegex(column=column, regex=DATE_REGEX,
                                              description=f"{column} looks like YYYY-MM-DD")

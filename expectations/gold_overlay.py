"""Contract of ``gold.overlay``: the nearline overlay merged over the published decisions.

Unpartitioned current state (one row per person, upserted every few minutes by the nearline
job): the whole table is checked. ``OPTIONAL``: until the nearline job has run there is no
table, and that is not a breach.

- Columns person_id, revoked_channels, messages_today, bought_items, updated_at exist
  (extra columns are allowed).
- ``person_id`` is a non-null string, unique (the overlay is keyed by person).
- ``revoked_channels`` is a list (may be empty) whose elements are all in
  ``tailor.events.CHANNELS`` (helper column ``_revoked_channels_known`` from :func:`prepare`).
- ``bought_items`` is a list (may be empty) of non-empty item ids (``_bought_items_valid``).
- ``messages_today`` is a non-null integer >= 0 (the frequency-cap counter).
- ``updated_at`` is a non-null UTC timestamp.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tailor.catalog import table
from tailor.events import CHANNELS

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

TABLE = "gold.overlay"
PARTITION_COLUMN = None
ID_COLUMN = "person_id"
OPTIONAL = True

COLUMNS = table(TABLE).column_names
CHANNELS_KNOWN = "_revoked_channels_known"
ITEMS_VALID = "_bought_items_valid"


def _as_list(value: Any) -> list | None:
    import pandas as pd

    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, str):      # a scalar string is not a list of channels
        return None
    try:
        return list(value)
    except TypeError:
        return None


def revoked_channels_known(value: Any) -> bool:
    """True when ``value`` is a list (possibly empty) of known channels."""
    items = _as_list(value)
    return items is not None and all(c in CHANNELS for c in items)


def bought_items_valid(value: Any) -> bool:
    """True when ``value`` is a list (possibly empty) of non-empty item id strings."""
    items = _as_list(value)
    return items is not None and all(isinstance(i, str) and i for i in items)


def prepare(df: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``df`` with one boolean helper column per list-valued rule."""
    out = df.copy()
    if "revoked_channels" in df.columns:
        out[CHANNELS_KNOWN] = [revoked_channels_known(v) for v in df["revoked_channels"]]
    if "bought_items" in df.columns:
        out[ITEMS_VALID] = [bought_items_valid(v) for v in df["bought_items"]]
    return out


def build_suite() -> "gx.ExpectationSuite":
    """The ``gold.overlay`` expectation suite (a fresh object on every call)."""
    from tailor.expectations._rules import (
        all_true,
        has_columns,
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
        not_null(["person_id", "messages_today", "updated_at"]),
        unique("person_id", "one row per person"),
        strings("person_id"),
        integer_at_least("messages_today", 0),
        timestamps("updated_at"),
        all_true(CHANNELS_KNOWN, "revoked_channels is a list of tailor.events.CHANNELS"),
        all_true(ITEMS_VALID, "bought_items is a list of item ids"))

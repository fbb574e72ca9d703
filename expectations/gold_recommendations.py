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

from tailor.catalog import table

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "gold.recommendations"
PARTITION_COLUMN = "ds"
ID_COLUMN = "person_id"

COLUMNS = table(TABLE).column_names


def build_suite() -> "gx.ExpectationSuite":
    """The ``gold.recommendations`` expectation suite (a fresh object on every call)."""
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
        non_empty("the ds partition holds recommendations"),
        has_columns(COLUMNS, TABLE),
        not_null(COLUMNS),
        unique(["person_id", "item_id"], "an item is recommended to a person at most once"),
        unique(["person_id", "rank"], "ranks are distinct per person"),
        strings("person_id", "item_id", "ranker_version", "ds"),
        integer_at_least("rank", 1, "rank is >= 1 (1 = best)"),
        doubles("score"),
        between("score", -MAX_FLOAT, MAX_FLOAT, "score is finite"),
        date_string("ds"))

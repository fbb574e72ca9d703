"""Contract of ``silver.identity_map``: hashed device / anonymous ids → pseudonymous person.

The identity job overwrites the whole table on every run, so the whole table is checked
(``PARTITION_COLUMN = None``, no row filter).

- The table is not empty (a *warning*: events that carry only customer ids, e.g. CDNOW, have
  no device or cookie to link); columns id_type, id_hash, person_id, evidence, links, first_seen,
  last_seen exist (extra columns are allowed: the identity work may add evidence columns).
- **Governance:** no identifier in the clear: ``id_value``, ``customer_id``, ``email``,
  ``anonymous_id``, ``device_id`` must not be columns.
- ``id_type`` is one of anonymous / device / email / customer (the id kinds that can be
  linked); ``id_hash``, ``person_id`` and ``evidence`` are non-null strings.
- ``(id_type, id_hash)`` is unique: an id maps to exactly one person.
- ``links`` is an integer >= 1 (at least one piece of evidence).
- ``first_seen`` and ``last_seen`` are non-null UTC timestamps with ``first_seen <= last_seen``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.catalog import table

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "silver.identity_map"
PARTITION_COLUMN = None
ID_COLUMN = "id_hash"

COLUMNS = table(TABLE).column_names
# never null (customers and confidence may be)
REQUIRED = ["id_type", "id_hash", "person_id", "evidence", "links", "first_seen", "last_seen"]
ID_TYPES = ["anonymous", "device", "email", "customer"]
CLEAR_IDENTIFIERS = ["id_value", "customer_id", "email", "anonymous_id", "device_id"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``silver.identity_map`` expectation suite (a fresh object on every call)."""
    from great_expectations import expectations as gxe

    from tailor.expectations._rules import (
        forbid_columns,
        has_columns,
        in_set,
        integer_at_least,
        make_suite,
        non_empty,
        not_null,
        strings,
        timestamps,
        unique,
    )

    return make_suite(
        TABLE, __doc__,
        non_empty("the map is not empty", warn=True),
        has_columns(COLUMNS, "identity_map"),
        forbid_columns(CLEAR_IDENTIFIERS, "governance: no identifier in the clear"),
        not_null(REQUIRED),
        strings("id_type", "id_hash", "person_id", "evidence"),
        in_set("id_type", ID_TYPES, f"id_type is one of {ID_TYPES}"),
        unique(["id_type", "id_hash"], "an id maps to exactly one person"),
        integer_at_least("links", 1, "every link has at least one piece of evidence"),
        timestamps("first_seen", "last_seen", noun="a timezone-aware timestamp"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="last_seen", column_B="first_seen", or_equal=True,
            description="first_seen <= last_seen"))

"""Person ids for bronze events the daily identity job has not resolved yet (nearline).

:func:`tailor.identity.resolve.resolve_events` on an id map: silver.identity_map (the last daily
run's graph) is the authority for every id it knows; an id it does not know yet but that the
recent slice ties to a customer (a login or identified event: the ownership rule of the daily
job, step 1, on the slice) gets that customer's person id — so a visitor who logs in and buys
within one nearline window is attributed at once. Anything else is an ``anon-`` person, as the
daily job would make a new lone id. Co-occurrence / graph links wait for the next daily run.
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.identity.resolve import (
    customer_evidence,
    id_triples,
    owners,
    pseudonymise_column,
    resolve_events,
)

MAP_KEY = ["id_type", "id_hash"]


def recent_owner_map(bronze: DataFrame, key: str, length: int) -> DataFrame:
    """(id_type, id_hash, person_id) for ids the slice ties to a customer (one owner per id)."""
    pseudo = pseudonymise_column(key, length)
    own = owners(customer_evidence(id_triples(bronze)))
    id_hash = pseudo(F.concat(F.col("id_type"), F.lit(":"), F.col("id_value")))
    return own.select("id_type", id_hash.alias("id_hash"), pseudo(F.col("owner")).alias("person_id"))


def resolve_recent(bronze: DataFrame, identity_map: DataFrame | None, key: str,
                   length: int) -> DataFrame:
    """``bronze`` rows → silver rows (SILVER_COLUMNS) keyed by person_id (see module docstring)."""
    recent = recent_owner_map(bronze, key, length)
    if identity_map is None:
        links = recent
    else:
        known = identity_map.select(*MAP_KEY, "person_id")
        links = known.unionByName(recent.join(known.select(*MAP_KEY), MAP_KEY, "left_anti"))
    return resolve_events(bronze, links, key, length)

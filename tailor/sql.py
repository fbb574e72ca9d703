"""SQL over the lakehouse for analysts and notebooks: DuckDB views over Delta snapshots.

Each ``layer.name`` in the query is resolved to the table's latest committed snapshot (file list
from the Delta log via delta-rs) and exposed to DuckDB as a lazy Arrow dataset, so uncommitted
or removed files are never read, and DuckDB reads only the columns and partitions the query
needs (nothing is loaded into memory up front).
"""
from __future__ import annotations

import re

import duckdb
import pandas as pd
from deltalake import DeltaTable

from tailor.config import Config
from tailor.lakehouse import arrow_io
from tailor.lakehouse.tables import LAYERS, list_tables, table_uri

_TABLE_REF = re.compile(r"\b(" + "|".join(LAYERS) + r")\.([a-z][a-z0-9_]*)\b")


def list_with_versions(cfg: Config) -> list[tuple[str, int | None]]:
    root = cfg.lakehouse_root
    return [(name, arrow_io.table_version(table_uri(root, name))) for name in list_tables(root)]


def connect(cfg: Config, query_text: str,
            as_of: dict[str, int] | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per table the query mentions (named layer.name), each at
    its latest version or at ``as_of[layer.name]`` (Delta time travel)."""
    as_of = dict(as_of or {})
    mentioned = sorted(set(_TABLE_REF.findall(query_text)))
    unused = set(as_of) - {f"{layer}.{name}" for layer, name in mentioned}
    if unused:
        raise ValueError(f"--as-of names {sorted(unused)}, which the query does not read")
    con = duckdb.connect()
    try:
        for layer, name in mentioned:
            uri = table_uri(cfg.lakehouse_root, f"{layer}.{name}")
            if not DeltaTable.is_deltatable(uri):
                known = ", ".join(list_tables(cfg.lakehouse_root))
                raise ValueError(f"no table {layer}.{name} (known: {known})")
            dt = arrow_io.open_table(uri)   # the log is read once per table: latest, then as_of
            version = as_of.get(f"{layer}.{name}")
            if version is not None:
                if not 0 <= version <= dt.version():
                    raise ValueError(f"{layer}.{name} has versions 0..{dt.version()}, not {version}")
                dt.load_as_version(version)
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{layer}"')
            con.register(f"__{layer}_{name}", arrow_io.snapshot_dataset(dt, uri))
            con.execute(f'CREATE VIEW "{layer}"."{name}" AS SELECT * FROM "__{layer}_{name}"')
    except Exception:
        con.close()
        raise
    return con


def query(cfg: Config, sql: str, as_of: dict[str, int] | None = None) -> pd.DataFrame:
    """Run ``sql`` (tables at their latest version, or ``as_of``) and return a DataFrame."""
    con = connect(cfg, sql, as_of)
    try:
        return con.execute(sql).fetchdf()
    finally:
        con.close()

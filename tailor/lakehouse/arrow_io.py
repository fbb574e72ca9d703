"""Spark-free reads of Delta tables: delta-rs resolves the snapshot, pyarrow reads the files.

Used by the publisher, ``tailor sql``, data contracts and notebooks. The file list comes from
the Delta log (so uncommitted or removed files are never read); partition values come from the
log too. We read with ``pyarrow.dataset`` over that list instead of
``DeltaTable.to_pyarrow_dataset`` because the latter can abort the interpreter at exit
(delta-rs 1.6 thread teardown), which would turn a good job into a failed Airflow task.
"""
from __future__ import annotations

from typing import Any, Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake import DeltaTable

PartitionFilter = dict[str, Any]  # {"ds": "2026-10-01"} or {"ds": ["2026-10-01", "2026-10-02"]}


def open_table(table_uri: str, version: int | None = None) -> DeltaTable:
    """The delta-rs handle for ``table_uri`` at ``version`` (latest if None)."""
    return DeltaTable(table_uri, version=version)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    return [str(value)]


def add_actions(dt: DeltaTable) -> pa.Table:
    """The live files of a snapshot: path, size_bytes, num_records, partition.<col>..."""
    return pa.table(dt.get_add_actions(flatten=True))


def live_files(dt: DeltaTable, partitions: PartitionFilter | None = None) -> list[dict[str, Any]]:
    """Files of the snapshot, pruned to ``partitions``; each with path, size, partition values."""
    actions = add_actions(dt)
    part_cols = list(dt.metadata().partition_columns)
    if partitions:
        unknown = set(partitions) - set(part_cols)
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not partition columns of {dt.table_uri} "
                             f"(partitioned by {part_cols})")
        mask = None
        for col, wanted in partitions.items():
            cond = pc.is_in(actions[f"partition.{col}"].cast(pa.string()),
                            value_set=pa.array(_as_list(wanted)))
            mask = cond if mask is None else pc.and_(mask, cond)
        actions = actions.filter(mask)
    rows = []
    for rec in actions.to_pylist():
        rows.append({
            "path": rec["path"],
            "size": rec["size_bytes"],
            "num_records": rec.get("num_records"),
            "partition_values": {c: rec.get(f"partition.{c}") for c in part_cols},
        })
    return rows


def file_uri(table_uri: str, relative_path: str) -> str:
    """Absolute location of a file named in the log (paths in the log are relative, URL-escaped)."""
    from urllib.parse import unquote

    if "://" in relative_path or relative_path.startswith("/"):
        return relative_path
    return table_uri.rstrip("/") + "/" + unquote(relative_path)


def arrow_schema(dt: DeltaTable) -> pa.Schema:
    """The table schema as a pyarrow schema (partition columns included)."""
    return pa.schema(dt.schema().to_arrow())


def add_missing_columns(table_uri: str, declared: pa.Schema) -> list[str] | None:
    """Add to the Delta table at ``table_uri`` the columns of ``declared`` it lacks, nullable, in
    one metadata commit (old files read them as null); returns their names, or None when there
    is no table there. A writer that added them first wins: its columns are then simply there."""
    from deltalake import Schema
    from deltalake.exceptions import CommitFailedError

    if not DeltaTable.is_deltatable(table_uri):
        return None
    dt = DeltaTable(table_uri)
    have = set(arrow_schema(dt).names)
    missing = [f.with_nullable(True) for f in declared if f.name not in have]
    if not missing:
        return []
    try:
        dt.alter.add_columns(list(Schema.from_arrow(pa.schema(missing)).fields))
    except CommitFailedError:
        if {f.name for f in missing} - set(arrow_schema(DeltaTable(table_uri)).names):
            raise
    return [f.name for f in missing]


def read_arrow(table_uri: str, version: int | None = None,
               partitions: PartitionFilter | None = None,
               columns: Iterable[str] | None = None) -> pa.Table:
    """Read a Delta table (optionally a version and some partitions) into one Arrow table."""
    dt = open_table(table_uri, version)
    schema = arrow_schema(dt)
    cols = list(columns) if columns is not None else schema.names
    return snapshot_dataset(dt, table_uri, partitions).to_table(columns=cols)


def snapshot_dataset(dt: DeltaTable, table_uri: str,
                     partitions: PartitionFilter | None = None) -> pads.Dataset:
    """A lazy Arrow dataset over the live files of ``dt`` (a snapshot of ``table_uri``), pruned to
    ``partitions``; nothing is read until it is scanned.

    Readers that scan it (``read_arrow``, DuckDB in ``tailor sql``) push column projections and
    filters down. Partition columns are not in the files: each file carries its partition values
    from the log (never parsed from paths) as an equality expression, which Arrow both prunes on
    and materialises as the column's value.
    """
    import pyarrow.fs as pafs

    schema = arrow_schema(dt)
    files = live_files(dt, partitions)
    if not files:
        return pads.dataset(schema.empty_table())
    part_cols = list(dt.metadata().partition_columns)
    if "://" in table_uri and not table_uri.startswith("file://"):
        filesystem, _ = pafs.FileSystem.from_uri(table_uri)
        paths = [pafs.FileSystem.from_uri(file_uri(table_uri, f["path"]))[1] for f in files]
    else:
        filesystem = pafs.LocalFileSystem()
        paths = [file_uri(table_uri.removeprefix("file://"), f["path"]) for f in files]
    expressions = []
    for f in files:
        expr = pads.scalar(True)
        for col in part_cols:
            value, field = f["partition_values"].get(col), schema.field(col)
            expr = expr & (pads.field(col).is_null() if value is None else
                           pads.field(col) == pa.scalar(str(value)).cast(field.type))
        expressions.append(expr)
    return pads.FileSystemDataset.from_paths(paths, schema=schema,
                                             format=pads.ParquetFileFormat(),
                                             filesystem=filesystem, partitions=expressions)


def table_version(table_uri: str) -> int | None:
    """Latest committed version, or None if there is no Delta table at ``table_uri``."""
    if not DeltaTable.is_deltatable(table_uri):
        return None
    return DeltaTable(table_uri).version()


def spark_dtypes(schema: pa.Schema) -> list[tuple[str, str]]:
    """(column, Spark SQL type) pairs of an Arrow schema, as ``DataFrame.dtypes`` gives them."""
    from tailor.catalog.schema import spark_type_of

    return [(f.name, spark_type_of(f.type)) for f in schema]


def write_arrow(table_uri: str, data: pa.Table, mode: str, *, partition_by: list[str],
                replace_partitions: dict[str, Any] | None, metadata: dict[str, str] | None,
                max_commit_retries: int) -> int:
    """One delta-rs commit of ``data``; returns the new version (see ``Lakehouse.write_arrow``)."""
    from deltalake import CommitProperties, write_deltalake

    props = CommitProperties(custom_metadata=metadata or {}, max_commit_retries=max_commit_retries)
    exists = DeltaTable.is_deltatable(table_uri)
    if mode == "overwrite_partitions":
        if not replace_partitions:
            raise ValueError("overwrite_partitions needs replace_partitions, e.g. {'ds': ds}")
        predicate = " AND ".join(
            f"{col} IN ({', '.join(repr(v) for v in _as_list(vals))})"
            for col, vals in replace_partitions.items())
        if exists:
            write_deltalake(table_uri, data, mode="overwrite", partition_by=partition_by or None,
                            predicate=predicate, commit_properties=props)
        else:
            write_deltalake(table_uri, data, mode="append", partition_by=partition_by or None,
                            commit_properties=props)
    elif mode == "append":
        _append(table_uri, data, partition_by, props, attempts=1 + max(max_commit_retries, 0))
    elif mode == "overwrite":
        write_deltalake(table_uri, data, mode="overwrite", partition_by=partition_by or None,
                        commit_properties=props)
    else:
        raise ValueError(f"write_arrow supports append, overwrite, overwrite_partitions; not {mode}")
    return DeltaTable(table_uri).version()


def _append(table_uri: str, data: pa.Table, partition_by: list[str], props: Any,
            attempts: int) -> None:
    """Append; when writers race to *create* the table (the loser's commit fails on changed
    metadata, nothing of it landed), append again to the table the winner created."""
    from deltalake import write_deltalake
    from deltalake.exceptions import CommitFailedError

    for attempt in range(attempts + 2):
        try:
            write_deltalake(table_uri, data, mode="append", partition_by=partition_by or None,
                            commit_properties=props)
            return
        except CommitFailedError:
            if attempt == attempts + 1:
                raise

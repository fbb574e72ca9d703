"""The bridge engine: Spark writes Parquet, delta-rs commits; delta-rs plans reads, Spark scans.

Works without any Delta jars (Maven is unreachable here), and produces ordinary Delta tables
that delta-spark, delta-rs, polars and DuckDB all read. One write = one Delta transaction:
either every file of the write becomes visible at once, or none does.

Concurrency: appends rebase onto concurrent commits (they cannot conflict). Overwrites and merges
depend on what they read, so they commit against the exact version they read with no retries:
a concurrent commit makes them fail with :class:`TableConflictError` and leaves the table as the
winner wrote it.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Sequence

import pyarrow as pa
from deltalake import DeltaTable, Schema
from deltalake.exceptions import CommitFailedError, DeltaError
from deltalake.transaction import AddAction, CommitProperties, RemoveAction, create_table_with_add_actions
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

from tailor.lakehouse import arrow_io
from tailor.lakehouse.base import (
    LakehouseError,
    SchemaMismatchError,
    TableConflictError,
    TableNotFoundError,
    WriteMode,
    WriteResult,
    as_value_list,
)
from tailor.lakehouse.files import FILE_META_SCHEMA, make_file_writer

APPEND_RETRIES = 10
UNSUPPORTED_READER_FEATURES = {"deletionVectors", "columnMapping", "v2Checkpoint"}


def _arrow_schema_of(df: DataFrame) -> pa.Schema:
    return to_arrow_schema(df.schema, timezone="UTC")


def _schema_fields(schema: pa.Schema) -> list[tuple[str, str]]:
    """(name, Delta type) pairs: the part of a schema that must match between writes."""
    delta = json.loads(Schema.from_arrow(schema).to_json())
    return [(f["name"], json.dumps(f["type"], sort_keys=True)) for f in delta["fields"]]


class BridgeEngine:
    """Delta through delta-rs commits and Spark Parquet IO (see module docstring)."""

    name = "bridge"

    def __init__(self, spark: SparkSession, target_file_rows: int = 500_000):
        self.spark = spark
        self.target_file_rows = target_file_rows

    # ------------------------------------------------------------------ reads
    def exists(self, uri: str) -> bool:
        return DeltaTable.is_deltatable(uri)

    def version(self, uri: str) -> int | None:
        return arrow_io.table_version(uri)

    def history(self, uri: str, limit: int | None = None) -> list[dict[str, Any]]:
        self._require(uri)
        return DeltaTable(uri).history(limit)

    def _require(self, uri: str, version: int | None = None) -> DeltaTable:
        if not DeltaTable.is_deltatable(uri):
            raise TableNotFoundError(f"no Delta table at {uri}: has the job that writes it run?")
        try:
            return DeltaTable(uri, version=version)
        except DeltaError as exc:
            raise LakehouseError(f"cannot open {uri} at version {version}: {exc}") from exc

    def read(self, uri: str, version: int | None = None,
             partitions: dict[str, Any] | None = None) -> DataFrame:
        """A Spark DataFrame over the snapshot's live files (pruned to ``partitions``)."""
        dt = self._require(uri, version)
        features = set(dt.protocol().reader_features or [])
        if features & UNSUPPORTED_READER_FEATURES:
            raise LakehouseError(f"{uri} uses reader features {sorted(features)} the bridge "
                                 "cannot read; use lakehouse.engine=native for this table")
        spark_schema = from_arrow_schema(arrow_io.arrow_schema(dt), prefer_timestamp_ntz=False)
        files = arrow_io.live_files(dt, partitions)
        if not files:
            return self.spark.createDataFrame([], spark_schema)
        paths = [arrow_io.file_uri(uri, f["path"]) for f in files]
        return (self.spark.read.schema(spark_schema).option("basePath", uri)
                .parquet(*paths).select(*spark_schema.fieldNames()))

    # ----------------------------------------------------------------- writes
    def write(self, df: DataFrame, uri: str, mode: WriteMode | str,
              partition_by: Sequence[str] | None = None, keys: Sequence[str] | None = None,
              replace_partitions: dict[str, Any] | None = None,
              when_matched: str = "update", unique_keys: bool = False,
              metadata: dict[str, str] | None = None, cluster: bool = True) -> WriteResult:
        """Write ``df`` to the Delta table at ``uri``; returns the committed version
        (``metadata``: extra ``tailor.*`` keys of the commit; ``cluster``: shuffle the rows on
        the partition columns first, see :meth:`tailor.lakehouse.Lakehouse.write`)."""
        mode = WriteMode(mode)
        part_cols = list(partition_by or [])
        exists = DeltaTable.is_deltatable(uri)
        read_dt = DeltaTable(uri) if exists else None
        if read_dt is not None:
            table_parts = list(read_dt.metadata().partition_columns)
            if partition_by is not None and table_parts != part_cols:
                raise SchemaMismatchError(
                    f"{uri} is partitioned by {table_parts}, the write asked for {part_cols}; "
                    "a table's partitioning cannot change in place: write a new table "
                    "(e.g. bump the feature group version) or delete this one first")
            if partition_by is None:
                part_cols = table_parts
            if mode != WriteMode.OVERWRITE:
                self._check_schema(uri, read_dt, _arrow_schema_of(df))
        missing = [c for c in part_cols if c not in df.columns]
        if missing:
            raise SchemaMismatchError(f"partition columns {missing} are not in the data written to {uri}")

        if mode == WriteMode.MERGE:
            if not keys:
                raise ValueError("merge needs keys=[...] to match rows on")
            if read_dt is not None:
                merged, replace = self._merge_frame(
                    df if unique_keys else df.dropDuplicates(list(keys)), uri, read_dt,
                    list(keys), part_cols, when_matched)
                if merged is None:
                    return WriteResult(uri, read_dt.version(), mode.value)
                df = merged
                return self._write_and_commit(df, uri, mode, part_cols, read_dt, replace, metadata,
                                              cluster)
            if not unique_keys:
                df = df.dropDuplicates(list(keys))
        return self._write_and_commit(df, uri, mode, part_cols, read_dt, replace_partitions,
                                      metadata, cluster)

    def _check_schema(self, uri: str, dt: DeltaTable, new: pa.Schema) -> None:
        old_fields = _schema_fields(arrow_io.arrow_schema(dt))
        new_fields = _schema_fields(new)
        if old_fields != new_fields:
            old_d, new_d = dict(old_fields), dict(new_fields)
            diff = sorted(set(old_d.items()) ^ set(new_d.items()))
            raise SchemaMismatchError(
                f"schema of the data written to {uri} differs from the table's "
                f"(columns differing: {sorted({n for n, _ in diff})}); write with "
                "mode='overwrite' to replace the schema, or fix the job's output")

    def _merge_frame(self, new: DataFrame, uri: str, dt: DeltaTable, keys: list[str],
                     part_cols: list[str], when_matched: str
                     ) -> tuple[DataFrame | None, dict[str, Any] | None]:
        """Rows to write for a merge of ``new`` (one row per key), and the partitions they
        replace (None = whole table)."""
        replace: dict[str, Any] | None = None
        if part_cols:
            combos = [r.asDict() for r in new.select(*part_cols).distinct().collect()]
            if not combos:
                return None, None
            replace = {c: sorted({str(r[c]) for r in combos}) for c in part_cols}
        existing = self.read(uri, version=dt.version(), partitions=replace)
        if when_matched == "ignore":
            fresh = new.join(existing.select(*keys), on=keys, how="left_anti")
            if fresh.isEmpty():
                return None, None  # nothing new: the merge is a no-op (idempotent rerun)
            # Insert-only: only partitions receiving new rows need rewriting.
            if part_cols:
                combos = [r.asDict() for r in fresh.select(*part_cols).distinct().collect()]
                replace = {c: sorted({str(r[c]) for r in combos}) for c in part_cols}
                existing = self.read(uri, version=dt.version(), partitions=replace)
            merged = existing.unionByName(fresh)
        elif when_matched == "update":
            kept = existing.join(new.select(*keys), on=keys, how="left_anti")
            merged = kept.unionByName(new.select(*existing.columns))
        else:
            raise ValueError("when_matched must be 'update' or 'ignore'")
        return merged, (replace if part_cols else {})

    def _write_and_commit(self, df: DataFrame, uri: str, mode: WriteMode, part_cols: list[str],
                          read_dt: DeltaTable | None,
                          replace_partitions: dict[str, Any] | None,
                          metadata: dict[str, str] | None = None,
                          cluster: bool = True) -> WriteResult:
        write_id = uuid.uuid4().hex
        schema = _arrow_schema_of(df)
        data = df.repartition(*part_cols) if part_cols and cluster else df
        writer = make_file_writer(uri, part_cols, write_id, self.target_file_rows)
        meta = data.mapInArrow(writer, from_arrow_schema(FILE_META_SCHEMA)).collect()
        adds = [AddAction(m["path"], m["size"], json.loads(m["partition_values"]),
                          m["modification_time"], True,
                          json.dumps({"numRecords": m["num_records"]})) for m in meta]
        rows = sum(m["num_records"] for m in meta)
        props = {**(metadata or {}), "tailor.write_id": write_id, "tailor.mode": mode.value}
        if read_dt is None:
            try:
                create_table_with_add_actions(
                    uri, Schema.from_arrow(schema), adds, mode="error", partition_by=part_cols or None,
                    commit_properties=CommitProperties(custom_metadata=props))
            except (CommitFailedError, DeltaError) as exc:
                raise TableConflictError(
                    f"could not create {uri}: another writer created it first ({exc}); "
                    "rerun the job") from exc
            return WriteResult(uri, 0, mode.value, len(adds), 0, rows)

        # A full overwrite lets delta-rs remove every file and replace schema/partitioning;
        # the other modes name their removes exactly and keep the table's metadata.
        removes = [] if mode == WriteMode.OVERWRITE else self._removes(
            read_dt, mode, replace_partitions, meta, part_cols)
        retries = APPEND_RETRIES if mode == WriteMode.APPEND else 0
        try:
            read_dt.create_write_transaction(
                [*adds, *removes], mode="overwrite" if mode == WriteMode.OVERWRITE else "append",
                schema=schema if mode == WriteMode.OVERWRITE else arrow_io.arrow_schema(read_dt),
                partition_by=part_cols or None,
                commit_properties=CommitProperties(max_commit_retries=retries, custom_metadata=props))
        except CommitFailedError as exc:
            raise TableConflictError(
                f"{mode.value} of {uri} conflicted with a concurrent commit after version "
                f"{read_dt.version()}; nothing was changed by this write. Rerun it.") from exc
        return WriteResult(uri, self._version_of(uri, write_id), mode.value, len(adds),
                           len(removes), rows)

    @staticmethod
    def _removes(dt: DeltaTable, mode: WriteMode, replace: dict[str, Any] | None,
                 written: list[Any], part_cols: list[str]) -> list[RemoveAction]:
        if mode == WriteMode.APPEND:
            return []
        if mode == WriteMode.MERGE and not part_cols:
            doomed = arrow_io.live_files(dt)
        else:
            wanted: set[tuple] = set()
            for m in written:
                pv = json.loads(m["partition_values"])
                wanted.add(tuple(pv.get(c) for c in part_cols))
            doomed = []
            for f in arrow_io.live_files(dt):
                key = tuple(f["partition_values"].get(c) for c in part_cols)
                explicit = replace is not None and bool(replace) and all(
                    str(f["partition_values"].get(c)) in {str(v) for v in as_value_list(replace[c])}
                    for c in replace)
                if key in wanted or explicit:
                    doomed.append(f)
        now = int(time.time() * 1000)
        return [RemoveAction(f["path"], True, now, f["size"], f["partition_values"]) for f in doomed]

    @staticmethod
    def _version_of(uri: str, write_id: str) -> int:
        for entry in DeltaTable(uri).history(50):
            if entry.get("tailor.write_id") == write_id:
                return int(entry["version"])
        raise LakehouseError(f"committed to {uri} but cannot find write {write_id} in its history")


def literal_partition_filter(df: DataFrame, partitions: dict[str, Any]) -> DataFrame:
    """Filter a DataFrame to ``partitions`` (same shape as the read filters)."""
    for col, value in partitions.items():
        values = value if isinstance(value, (list, tuple, set)) else [value]
        df = df.where(F.col(col).isin([str(v) for v in values]))
    return df

"""The one door to Delta tables. Jobs say ``lakehouse.write(df, "silver.events", mode=...)``
and ``lakehouse.read("silver.events")``; which engine does the work is configuration.

Engines: ``bridge`` (default; Spark Parquet IO + delta-rs commits, no jars) and ``native``
(delta-spark). Non-Spark readers use :meth:`Lakehouse.read_arrow` (delta-rs + pyarrow).
Maintenance (compaction, retention, VACUUM, checkpoints: ``tailor/lakehouse/maintenance.py``)
goes through delta-rs for both engines and starts no Spark.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Sequence

import pyarrow as pa
import pyarrow.dataset as pads

from tailor.config import Config
from tailor.lakehouse import arrow_io
from tailor.lakehouse import maintenance as _maintenance
from tailor.lakehouse.base import (
    EngineUnavailableError,
    LakehouseError,
    SchemaMismatchError,
    TableConflictError,
    TableNotFoundError,
    WriteMode,
    WriteResult,
)
from tailor.lakehouse.tables import list_tables, table_uri

log = logging.getLogger(__name__)

__all__ = ["Lakehouse", "WriteMode", "WriteResult", "LakehouseError", "TableConflictError",
           "SchemaMismatchError", "TableNotFoundError", "EngineUnavailableError", "table_uri",
           "list_tables"]


class Lakehouse:
    """Tables addressed as ``layer.name`` under ``cfg.lakehouse_root``."""

    def __init__(self, cfg: Config, spark: Any = None):
        self.cfg = cfg
        self.root = cfg.lakehouse_root
        self._spark = spark
        self._engine: Any = None
        self._complete: set[str] = set()   # tables known to hold every declared column

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from tailor.spark import get_spark

            spark = self._spark or get_spark(self.cfg)
            kind = self.cfg.lakehouse.engine
            if kind == "bridge":
                from tailor.lakehouse.bridge import BridgeEngine
                self._engine = BridgeEngine(spark, self.cfg.lakehouse.target_file_rows)
            elif kind == "native":
                from tailor.lakehouse.native import NativeEngine
                self._engine = NativeEngine(spark, self.cfg.lakehouse.target_file_rows)
            else:
                raise LakehouseError(f"lakehouse.engine={kind!r}: use 'bridge' or 'native'")
        return self._engine

    def uri(self, name: str) -> str:
        return table_uri(self.root, name)

    def exists(self, name: str) -> bool:
        return arrow_io.table_version(self.uri(name)) is not None

    def version(self, name: str) -> int | None:
        """Latest committed version of ``name`` (None if never written). No Spark needed."""
        return arrow_io.table_version(self.uri(name))

    def count(self, name: str, version: int | None = None,
              partitions: dict[str, Any] | None = None) -> int:
        """Row count from the Delta log's per-file statistics (reads no data files)."""
        dt = arrow_io.open_table(self.uri(name), version)
        return sum(int(f["num_records"] or 0) for f in arrow_io.live_files(dt, partitions))

    def partition_values(self, name: str, column: str, version: int | None = None) -> list[str]:
        """The distinct values of partition ``column`` holding live files, sorted (no Spark)."""
        dt = arrow_io.open_table(self.uri(name), version)
        return sorted({str(f["partition_values"].get(column)) for f in arrow_io.live_files(dt)
                       if f["partition_values"].get(column) is not None})

    def history(self, name: str, limit: int | None = None) -> list[dict[str, Any]]:
        return arrow_io.open_table(self.uri(name)).history(limit)

    def commit_metadata(self, name: str, key: str, version: int | None = None) -> str | None:
        """The value of ``key`` that the newest commit at or before ``version`` carrying it was
        written with (``write(..., metadata={key: ...})``), or None. Commits without it
        (compaction, checkpoints) keep the rows and so what was said about them. No Spark."""
        for entry in arrow_io.open_table(self.uri(name)).history():   # newest first
            if version is not None and entry.get("version", -1) > version:
                continue
            value = entry.get(key)
            if value is None and isinstance(entry.get("userMetadata"), str):  # native engine
                try:
                    value = json.loads(entry["userMetadata"]).get(key)
                except (ValueError, AttributeError):
                    value = None
            if value is not None:
                return str(value)
        return None

    def read(self, name: str, version: int | None = None,
             partitions: dict[str, Any] | None = None):
        """A Spark DataFrame of ``name`` at ``version`` (latest if None), pruned to ``partitions``."""
        return self.engine.read(self.uri(name), version=version, partitions=partitions)

    def dataset(self, name: str, version: int | None = None,
                partitions: dict[str, Any] | None = None) -> pads.Dataset:
        """The same snapshot as a lazy Arrow dataset: counted, filtered or streamed in batches
        without holding the table (the train job's bounded read)."""
        uri = self.uri(name)
        if arrow_io.table_version(uri) is None:
            raise TableNotFoundError(f"no table {name} at {uri}: has the job that writes it run?")
        return arrow_io.snapshot_dataset(arrow_io.open_table(uri, version), uri, partitions)

    def read_arrow(self, name: str, version: int | None = None,
                   partitions: dict[str, Any] | None = None,
                   columns: Sequence[str] | None = None) -> pa.Table:
        """The same snapshot as an Arrow table, without Spark (publisher, SQL, notebooks)."""
        uri = self.uri(name)
        if arrow_io.table_version(uri) is None:
            raise TableNotFoundError(f"no table {name} at {uri}: has the job that writes it run?")
        return arrow_io.read_arrow(uri, version=version, partitions=partitions, columns=columns)

    def write(self, df: Any, name: str, mode: WriteMode | str = WriteMode.APPEND,
              partition_by: Sequence[str] | None = None, keys: Sequence[str] | None = None,
              replace_partitions: dict[str, Any] | None = None,
              when_matched: str = "update", unique_keys: bool = False,
              metadata: dict[str, str] | None = None, cluster: bool = True) -> WriteResult:
        """Write a Spark DataFrame as one Delta transaction; returns the committed version.

        ``overwrite_partitions`` replaces exactly the partitions present in ``df`` (plus any named
        in ``replace_partitions``, so an empty rerun of a day still clears it); ``merge`` upserts
        on ``keys`` (``when_matched="ignore"`` keeps existing rows: insert-only dedupe); a merge
        first keeps one row per key of ``df``, unless the caller says its rows are already
        ``unique_keys`` (that pass shuffles every row). ``metadata`` (``tailor.*`` keys) is kept
        in the commit, where :meth:`commit_metadata` reads it back (e.g. the person sample a
        training set holds). ``cluster`` (the bridge engine): shuffle the rows on the partition
        columns first, so one task writes each partition value (fewest files); ``False`` writes
        each task's rows where they are (a file per partition value per task) — for rows that
        arrive grouped by those columns already (silver.events from bronze.events, both by
        event_date), it saves a shuffle of every row. The native engine never shuffles.
        """
        conform(name, df.dtypes)
        self._add_declared_columns(name)
        result = self.engine.write(df, self.uri(name), mode, partition_by=partition_by, keys=keys,
                                   replace_partitions=replace_partitions, when_matched=when_matched,
                                   unique_keys=unique_keys, metadata=metadata, cluster=cluster)
        return WriteResult(name, result.version, result.mode, result.files_added,
                           result.files_removed, result.rows_written, result.extra)

    def write_arrow(self, data: pa.Table, name: str, mode: WriteMode | str = WriteMode.APPEND,
                    partition_by: Sequence[str] | None = None,
                    replace_partitions: dict[str, Any] | None = None,
                    metadata: dict[str, str] | None = None,
                    commit_retries: int | None = None) -> WriteResult:
        """Write an Arrow table as one Delta transaction without Spark (small tables written by
        Spark-free jobs): ``append``, ``overwrite``, or ``overwrite_partitions`` (the partitions in
        ``replace_partitions`` are replaced, rerunning a day is idempotent).

        ``commit_retries`` (default ``lakehouse.max_commit_retries``): how often delta-rs may
        rebase the commit over a concurrent one it does not conflict with — for blind appends
        of independent writers (``ops.runs``), where a lost race is not a conflict."""
        conform(name, arrow_io.spark_dtypes(data.schema))
        self._add_declared_columns(name)
        retries = self.cfg.lakehouse.max_commit_retries if commit_retries is None else commit_retries
        version = arrow_io.write_arrow(
            self.uri(name), data, WriteMode(mode).value, partition_by=list(partition_by or []),
            replace_partitions=replace_partitions, metadata=metadata,
            max_commit_retries=retries)
        return WriteResult(name, version, WriteMode(mode).value, 0, 0, data.num_rows, {})

    # ------------------------------------------------------------ maintenance (delta-rs, no Spark)
    def file_stats(self, name: str) -> _maintenance.FileStats:
        """Live and stored files and bytes, commit files and newest checkpoint of ``name``."""
        return _maintenance.file_stats(self._existing(name))

    def compact(self, name: str, target_bytes: int, min_files: int
                ) -> _maintenance.CompactResult | None:
        """Rewrite the small files of ``name``'s partitions holding ``min_files`` or more of them
        (None: nothing to do). Readers see the same rows; see ``maintenance.compact``."""
        return _maintenance.compact(self._existing(name), target_bytes, min_files)

    def ensure_retention(self, name: str, hours: float) -> dict[str, str]:
        """Make ``name``'s log and deleted-file retention at least ``hours`` (never lowered)."""
        return _maintenance.ensure_retention(self._existing(name), hours)

    def keep_history(self, name: str) -> dict[str, str]:
        """Never expire ``name``'s commit files (every version stays readable if never vacuumed)."""
        return _maintenance.keep_history(self._existing(name))

    def vacuum(self, name: str, hours: float) -> _maintenance.VacuumResult:
        """Delete files removed from ``name`` more than ``hours`` ago (time travel inside the
        window keeps working); see ``maintenance.vacuum``."""
        return _maintenance.vacuum(self._existing(name), hours)

    def checkpoint(self, name: str) -> int | None:
        """Checkpoint ``name`` at its latest version (None: it already has one there)."""
        return _maintenance.checkpoint(self._existing(name))

    def cleanup_logs(self, name: str, hours: float) -> int:
        """Delete ``name``'s expired commit files a checkpoint covers (never inside ``hours``)."""
        return _maintenance.cleanup_logs(self._existing(name), hours)

    def _add_declared_columns(self, name: str) -> None:
        """Schema evolution, additive only: a column the catalog declares for ``name`` that the
        existing table lacks (a newer release added it, e.g. ``order_id`` in bronze and silver
        events) is added to the table, nullable, before the write — old rows read it as null,
        nothing is rewritten. Anything else that differs still fails the write (conform)."""
        from tailor.catalog import declared

        if name in self._complete:   # columns are only ever added: checked once per instance
            return
        table = declared(name)
        added = [] if table is None else arrow_io.add_missing_columns(self.uri(name),
                                                                      table.arrow_schema)
        if added is None:            # no table yet: this write creates it with every column
            return
        self._complete.add(name)
        if added:
            log.warning("%s: added the catalog's new column(s) %s (nullable; existing rows read "
                        "null)", name, ", ".join(added))

    def _existing(self, name: str) -> str:
        uri = self.uri(name)
        if arrow_io.table_version(uri) is None:
            raise TableNotFoundError(f"no table {name} at {uri}: has the job that writes it run?")
        return uri


def conform(name: str, dtypes: Sequence[tuple[str, str]]) -> None:
    """Refuse a write whose columns differ from the table's entry in the catalog (tailor.catalog).
    Tables the catalog does not declare (feature groups: their registry is their declaration;
    scratch tables of tests) are not checked."""
    from tailor.catalog import declared

    table = declared(name)
    if table is None:
        return
    problems = table.problems(dtypes)
    if problems:
        raise SchemaMismatchError(f"writing {name}: the frame does not match its catalog entry "
                                  f"(tailor/catalog): " + "; ".join(problems)
                                  + ". Change the writer or the declaration, not both silently.")

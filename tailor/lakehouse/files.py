"""Executor side of the bridge engine: turn Arrow batches into Parquet data files.

This runs inside Spark tasks through ``DataFrame.mapInArrow``. It writes each batch's rows into
one file per partition value (rolling over at ``target_rows``) and yields one metadata row per
file; the driver commits those files to the Delta log. Files that never get committed (a crashed
or conflicting write) are invisible to readers and can be vacuumed.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Callable, Iterator
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"

# Schema of the rows the writer yields back to the driver.
FILE_META_SCHEMA = pa.schema([
    ("path", pa.string()),
    ("size", pa.int64()),
    ("partition_values", pa.string()),   # JSON object {col: value-or-null}
    ("num_records", pa.int64()),
    ("modification_time", pa.int64()),
])


def partition_dir(part_cols: list[str], values: tuple[Any, ...]) -> str:
    """Hive-style directory for one partition, escaped the way Delta writers do."""
    parts = []
    for col, value in zip(part_cols, values):
        text = HIVE_NULL if value is None else quote(str(value), safe="")
        parts.append(f"{col}={text}")
    return "/".join(parts)


def _split_by_partition(batch: pa.RecordBatch, part_cols: list[str]
                        ) -> list[tuple[tuple[Any, ...], pa.Table]]:
    table = pa.Table.from_batches([batch])
    if not part_cols:
        return [((), table)]
    keys = table.select(part_cols).group_by(part_cols).aggregate([]).to_pylist()
    out = []
    for key in keys:
        mask = None
        for col in part_cols:
            value = key[col]
            cond = pc.is_null(table[col]) if value is None else pc.equal(table[col], value)
            mask = cond if mask is None else pc.and_(mask, cond)
        values = tuple(None if key[c] is None else str(key[c]) for c in part_cols)
        out.append((values, table.filter(mask).drop_columns(part_cols)))
    return out


class _RollingWriter:
    """One open Parquet file per partition, rolled over at ``target_rows``."""

    def __init__(self, fs: pafs.FileSystem, base: str, write_id: str, target_rows: int):
        self.fs, self.base, self.write_id, self.target_rows = fs, base.rstrip("/"), write_id, target_rows
        self.open: dict[tuple, tuple[pq.ParquetWriter, str, int]] = {}
        self.done: list[dict[str, Any]] = []
        self.task = uuid.uuid4().hex[:12]
        self.seq = 0

    def write(self, values: tuple, part_cols: list[str], table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if values not in self.open:
            self.seq += 1
            rel_dir = partition_dir(part_cols, values)
            name = f"part-{self.write_id}-{self.task}-{self.seq:05d}.snappy.parquet"
            rel = f"{rel_dir}/{name}" if rel_dir else name
            full = f"{self.base}/{rel}"
            self.fs.create_dir(f"{self.base}/{rel_dir}" if rel_dir else self.base, recursive=True)
            sink = self.fs.open_output_stream(full)
            writer = pq.ParquetWriter(sink, table.schema, compression="snappy")
            self.open[values] = (writer, rel, 0)
        writer, rel, rows = self.open[values]
        writer.write_table(table)
        rows += table.num_rows
        self.open[values] = (writer, rel, rows)
        if rows >= self.target_rows:
            self._close(values, part_cols)

    def _close(self, values: tuple, part_cols: list[str]) -> None:
        writer, rel, rows = self.open.pop(values)
        writer.close()
        info = self.fs.get_file_info(f"{self.base}/{rel}")
        self.done.append({
            "path": rel,
            "size": info.size,
            "partition_values": json.dumps(dict(zip(part_cols, values))),
            "num_records": rows,
            "modification_time": int(time.time() * 1000),
        })

    def close_all(self, part_cols: list[str]) -> list[dict[str, Any]]:
        for values in list(self.open):
            self._close(values, part_cols)
        return self.done


def make_file_writer(table_uri: str, part_cols: list[str], write_id: str, target_rows: int
                     ) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function handed to ``mapInArrow``; closes over plain values only (picklable)."""

    def write_files(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        fs, base = pafs.FileSystem.from_uri(table_uri)
        writer = _RollingWriter(fs, base, write_id, target_rows)
        for batch in batches:
            for values, table in _split_by_partition(batch, part_cols):
                writer.write(values, part_cols, table)
        done = writer.close_all(part_cols)
        if done:
            yield pa.RecordBatch.from_pylist(done, schema=FILE_META_SCHEMA)

    return write_files

"""The native engine: delta-spark (``format("delta")``, ``DeltaTable.merge``) behind the same API.

For clusters and Databricks where the Delta jars are already on the classpath. We never ask
Spark to download them (``spark.jars.packages``): if the classes are missing, constructing the
engine fails with :class:`EngineUnavailableError` saying so.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from pyspark.sql import DataFrame, SparkSession

from tailor.lakehouse.base import (
    EngineUnavailableError,
    TableNotFoundError,
    WriteMode,
    WriteResult,
    as_value_list,
)
from tailor.lakehouse.bridge import literal_partition_filter


def delta_jars_available(spark: SparkSession) -> bool:
    """True when io.delta classes load in the driver JVM."""
    try:
        spark._jvm.java.lang.Class.forName("io.delta.tables.DeltaTable")  # type: ignore[union-attr]
        return True
    except Exception:  # noqa: BLE001 - py4j wraps ClassNotFoundException
        return False


class NativeEngine:
    """Delta through delta-spark; requires its jars on the Spark classpath."""

    name = "native"

    def __init__(self, spark: SparkSession, target_file_rows: int = 500_000):
        if not delta_jars_available(spark):
            raise EngineUnavailableError(
                "lakehouse.engine=native needs the delta-spark jars on the Spark classpath "
                "(io.delta.tables.DeltaTable not found). Put delta-spark_2.13 and delta-storage "
                "jars in $SPARK_HOME/jars or spark.jars, or use lakehouse.engine=bridge.")
        from delta.tables import DeltaTable  # noqa: F401  (import only once jars exist)

        self.spark = spark
        self.target_file_rows = target_file_rows

    def _table(self, uri: str):
        from delta.tables import DeltaTable

        if not DeltaTable.isDeltaTable(self.spark, uri):
            raise TableNotFoundError(f"no Delta table at {uri}: has the job that writes it run?")
        return DeltaTable.forPath(self.spark, uri)

    def exists(self, uri: str) -> bool:
        from delta.tables import DeltaTable

        return DeltaTable.isDeltaTable(self.spark, uri)

    def version(self, uri: str) -> int | None:
        if not self.exists(uri):
            return None
        return int(self._table(uri).history(1).collect()[0]["version"])

    def history(self, uri: str, limit: int | None = None) -> list[dict[str, Any]]:
        hist = self._table(uri).history(limit) if limit else self._table(uri).history()
        return [r.asDict() for r in hist.collect()]

    def read(self, uri: str, version: int | None = None,
             partitions: dict[str, Any] | None = None) -> DataFrame:
        self._table(uri)
        reader = self.spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        df = reader.load(uri)
        return literal_partition_filter(df, partitions) if partitions else df

    def write(self, df: DataFrame, uri: str, mode: WriteMode | str,
              partition_by: Sequence[str] | None = None, keys: Sequence[str] | None = None,
              replace_partitions: dict[str, Any] | None = None,
              when_matched: str = "update", unique_keys: bool = False,
              metadata: dict[str, str] | None = None, cluster: bool = True) -> WriteResult:
        # ``cluster`` is the bridge's: Spark's own writer never shuffles before writing
        mode = WriteMode(mode)
        parts = list(partition_by or [])
        if mode == WriteMode.MERGE and self.exists(uri):
            cond = " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys or [])
            source = df if unique_keys else df.dropDuplicates(list(keys or []))
            merge = self._table(uri).alias("t").merge(source.alias("s"), cond)
            if when_matched == "update":
                merge = merge.whenMatchedUpdateAll()
            merge.whenNotMatchedInsertAll().execute()
        else:
            writer = df.write.format("delta").option("maxRecordsPerFile", self.target_file_rows)
            if metadata:   # Delta's commitInfo.userMetadata (Lakehouse.commit_metadata reads it)
                writer = writer.option("userMetadata", json.dumps(metadata))
            if parts:
                writer = writer.partitionBy(*parts)
            if mode == WriteMode.OVERWRITE:
                writer = writer.mode("overwrite").option("overwriteSchema", "true")
            elif mode == WriteMode.OVERWRITE_PARTITIONS:
                writer = writer.mode("overwrite").option("partitionOverwriteMode", "dynamic")
                if replace_partitions:
                    cond = " AND ".join(
                        f"`{c}` IN ({', '.join(repr(str(v)) for v in as_value_list(vals))})"
                        for c, vals in replace_partitions.items())
                    writer = writer.option("replaceWhere", cond)
            else:
                writer = writer.mode("append")
            writer.save(uri)
        return WriteResult(uri, self.version(uri), mode.value)

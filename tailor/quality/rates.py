"""Quarantine rates per reason per day → ``ops.quality`` (Spark-free: pandas + delta-rs).

``ops.quality`` (partitioned by ``ds``), one row per quarantine reason seen on ``ds``:

    reason       string     e.g. invalid_json, missing:item_id, bad_value:propensity
    count        bigint     lines quarantined on ds for that reason (bronze.quarantine,
                            ingest_date == ds)
    lines        bigint     every landing line ingested on ds: sum(rows_good + rows_quarantined)
                            of ops.ingest_log where ds == ds (the denominator)
    share        double     count / lines (null when lines == 0)
    ds           string     the run's date (partition)
    computed_at  timestamp  when the row was computed (UTC)

A day without quarantined lines has no rows; rerunning a day replaces its partition.

Why delta-rs and not ``Lakehouse.write`` (Spark): the inputs are one quarantine partition
and the day's ingest-log rows (small by construction), the output is a handful of rows, and
the job then starts in about a second instead of spending ~15 s (and a JVM's memory on a
shared 2-core box) bringing Spark up; the data contracts already read Delta this way. The write
is one ``write_deltalake(mode="overwrite", predicate="ds = '<ds>'")`` transaction: the same
Delta table format and atomic, idempotent partition replacement as the bridge engine's
``overwrite_partitions`` (which commits through delta-rs too). On a cluster with the native
engine the table is still plain Delta, readable by delta-spark.
"""
from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tailor.config import Config

QUALITY_TABLE = "ops.quality"
QUARANTINE_TABLE = "bronze.quarantine"
INGEST_LOG_TABLE = "ops.ingest_log"


def _columns() -> list[str]:
    from tailor.catalog import table

    return table(QUALITY_TABLE).column_names


def quarantine_rates(quarantine: "pd.DataFrame", ingest_log: "pd.DataFrame", ds: str,
                     computed_at: _dt.datetime | None = None) -> "pd.DataFrame":
    """Rows of ``ops.quality`` for ``ds`` (pure; most frequent reason first).

    ``quarantine`` needs ``reason`` and ``ingest_date``; ``ingest_log`` needs ``ds``,
    ``rows_good`` and ``rows_quarantined``. Rows of other days are ignored, so whole tables can
    be passed.
    """
    import pandas as pd

    computed_at = computed_at or _dt.datetime.now(_dt.timezone.utc)
    lines = lines_ingested(ingest_log, ds)
    bad = quarantine[quarantine["ingest_date"].astype(str) == ds]
    counts = (bad["reason"].fillna("(none)").value_counts().rename_axis("reason")
              .reset_index(name="count"))
    counts = counts.sort_values(["count", "reason"], ascending=[False, True], ignore_index=True)
    out = pd.DataFrame({
        "reason": counts["reason"].astype(object),
        "count": counts["count"].astype("int64"),
        "lines": pd.Series([lines] * len(counts), dtype="int64"),
        "share": (counts["count"] / lines) if lines else pd.Series([None] * len(counts),
                                                                    dtype="float64"),
        "ds": pd.Series([ds] * len(counts), dtype=object),
        "computed_at": pd.Series([pd.Timestamp(computed_at).tz_convert("UTC")
                                  if pd.Timestamp(computed_at).tzinfo
                                  else pd.Timestamp(computed_at, tz="UTC")] * len(counts),
                                 dtype="datetime64[us, UTC]"),
    })
    return out[_columns()]


def lines_ingested(ingest_log: "pd.DataFrame", ds: str) -> int:
    """Landing lines ingested on ``ds`` (good + quarantined) according to ``ops.ingest_log``."""
    log = ingest_log[ingest_log["ds"].astype(str) == ds]
    return int(log["rows_good"].fillna(0).sum() + log["rows_quarantined"].fillna(0).sum())


def _read(cfg: "Config", table: str, columns: list[str],
          partitions: dict[str, Any] | None = None) -> "pd.DataFrame":
    import pandas as pd

    from tailor.lakehouse.arrow_io import read_arrow, table_version
    from tailor.lakehouse.tables import table_uri

    uri = table_uri(cfg.lakehouse_root, table)
    version = table_version(uri)
    if version is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return read_arrow(uri, version=version, partitions=partitions, columns=columns).to_pandas()


def compute_for(cfg: "Config", ds: str, computed_at: _dt.datetime | None = None
                ) -> tuple["pd.DataFrame", int, dict[str, int | None]]:
    """Read the day's quarantine partition and ingest-log rows.

    Returns (rates, lines ingested on ds, input table versions).
    """
    from tailor.lakehouse.arrow_io import table_version
    from tailor.lakehouse.tables import table_uri

    quarantine = _read(cfg, QUARANTINE_TABLE, ["reason", "ingest_date"], {"ingest_date": ds})
    log = _read(cfg, INGEST_LOG_TABLE, ["ds", "rows_good", "rows_quarantined"])
    versions = {t: table_version(table_uri(cfg.lakehouse_root, t))
                for t in (QUARANTINE_TABLE, INGEST_LOG_TABLE)}
    return quarantine_rates(quarantine, log, ds, computed_at), lines_ingested(log, ds), versions


def write_quality(cfg: "Config", rates: "pd.DataFrame", ds: str) -> int:
    """Replace partition ``ds`` of ``ops.quality`` with ``rates`` (one Delta commit); the version."""
    import pyarrow as pa

    from tailor.catalog import table
    from tailor.lakehouse import Lakehouse

    if any(str(v) != ds for v in rates["ds"]):
        raise ValueError(f"rates for ds={ds} hold rows of other days")
    schema = table(QUALITY_TABLE).arrow_schema
    data = pa.Table.from_pandas(rates[schema.names], schema=schema, preserve_index=False)
    return Lakehouse(cfg).write_arrow(
        data, QUALITY_TABLE, "overwrite_partitions", partition_by=["ds"],
        replace_partitions={"ds": ds},
        metadata={"tailor.job": "quality_report", "tailor.ds": ds}).version

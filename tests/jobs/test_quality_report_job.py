"""jobs/quality_report on real Delta tables: writes ops.quality for ds, reruns replace only ds,
and the result honours the ops.quality contract."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from tailor.config import load_config
from tailor.jobs import quality_report, validate
from tailor.lakehouse.arrow_io import read_arrow
from tailor.runtime import JobContext

ROOT = Path(__file__).resolve().parents[2]
DS, OTHER = "2026-10-02", "2026-10-01"
TS = datetime(2026, 10, 2, 23, tzinfo=timezone.utc)


def _quarantine(rows):
    return pa.Table.from_pylist(
        [dict(quarantine_id=f"q{i}", landing_file="landing/b.jsonl", raw_line="x", reason=r,
              quarantined_at=TS, ingest_date=d) for i, (r, d) in enumerate(rows)],
        schema=pa.schema([("quarantine_id", pa.string()), ("landing_file", pa.string()),
                          ("raw_line", pa.string()), ("reason", pa.string()),
                          ("quarantined_at", pa.timestamp("us", tz="UTC")),
                          ("ingest_date", pa.string())]))


@pytest.fixture
def cfg(tmp_path):
    lh = tmp_path / "lh"
    write_deltalake(str(lh / "bronze" / "quarantine"),
                    _quarantine([("invalid_json", DS), ("invalid_json", DS), ("bad_ts", DS),
                                 ("bad_ts", OTHER)]), partition_by=["ingest_date"])
    write_deltalake(str(lh / "ops" / "ingest_log"), pa.table({
        "landing_file": ["a", "b", "c"], "rows_good": [37, 60, 9], "rows_quarantined": [3, 0, 1],
        "ds": [DS, DS, OTHER], "ingested_at": pa.array([TS] * 3, pa.timestamp("us", tz="UTC")),
        "bronze_version": [1, 2, 0]}))
    return load_config(root=ROOT, overrides={"paths": {"lakehouse": str(lh),
                                                       "runs": str(tmp_path / "runs")}})


def test_writes_the_days_rates_idempotently_and_passes_its_contract(cfg):
    quality_report.run(JobContext(cfg, OTHER))
    first = quality_report.run(JobContext(cfg, DS))
    again = quality_report.run(JobContext(cfg, DS))

    uri = str(Path(cfg.lakehouse_root) / "ops" / "quality")
    rows = read_arrow(uri).to_pylist()
    day = sorted((r["reason"], r["count"], r["lines"], r["share"]) for r in rows if r["ds"] == DS)
    assert day == [("bad_ts", 1, 100, 0.01), ("invalid_json", 2, 100, 0.02)]
    assert [(r["reason"], r["count"], r["lines"]) for r in rows if r["ds"] == OTHER] == [
        ("bad_ts", 1, 10)]
    assert first["rates"] == again["rates"] == {"invalid_json": 0.02, "bad_ts": 0.01}
    assert DeltaTable(uri).metadata().partition_columns == ["ds"]

    assert validate.check("ops.quality", DS, cfg, data_docs=False)["success"]

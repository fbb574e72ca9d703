"""ops.ingest_log names files relative to the landing root: moving the whole home (landing and
lakehouse together) re-reads nothing; a log written before (absolute paths, no content hash)
is migrated in place, so an upgraded lakehouse re-reads nothing either."""
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from tailor.runtime import execute


def _write(path, ids):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps({"event_id": i, "event_type": "view",
                                          "ts": "2026-09-01T10:00:00Z", "anonymous_id": "a1",
                                          "item_id": "I1"}) for i in ids) + "\n")


def _home(cfg, home: Path):
    """``cfg`` with its lakehouse, landing and runs under ``home``."""
    paths = {"lakehouse": str(home / "lakehouse"), "landing": str(home / "landing"),
             "runs": str(home / "runs")}
    return cfg.model_copy(update={"paths": cfg.paths.model_copy(update=paths)})


def test_moved_home_reads_nothing_again(spark, cfg, tmp_path):
    import tailor.jobs.ingest as ingest

    def make_config(home):
        return _home(cfg, home)

    old_home = tmp_path / "old"
    _write(old_home / "landing" / "events-2026-09-01-000.jsonl", ["m1", "m2"])
    _write(old_home / "landing" / "sub" / "events-2026-09-01-001.jsonl", ["m3"])
    first = execute("ingest", ingest.run, "2026-09-01", cfg=make_config(old_home), spark=spark)
    assert first["files"] == 2

    new_home = tmp_path / "new"
    shutil.move(str(old_home), str(new_home))
    moved = execute("ingest", ingest.run, "2026-09-02", cfg=make_config(new_home), spark=spark)
    assert moved["files"] == 0
    assert moved["known_files"] == 2


def test_legacy_log_is_migrated_not_reingested(spark, cfg):
    import tailor.jobs.ingest as ingest
    from tailor.lakehouse import Lakehouse

    landing = cfg.landing_dir
    _write(Path(landing) / "events-2026-09-01-000.jsonl", ["l1"])
    # a log as the previous release wrote it, from a home that has moved since
    old_path = "/somewhere/else/landing/events-2026-09-01-000.jsonl"
    write_deltalake(Lakehouse(cfg, spark).uri("ops.ingest_log"), pa.table({
        "landing_file": [old_path], "rows_good": pa.array([1], pa.int64()),
        "rows_quarantined": pa.array([0], pa.int64()), "ds": ["2026-09-01"],
        "ingested_at": pa.array([datetime(2026, 9, 2, tzinfo=timezone.utc)],
                                pa.timestamp("us", tz="UTC")),
        "bronze_version": pa.array([0], pa.int64())}))

    summary = execute("ingest", ingest.run, "2026-09-02", cfg=cfg, spark=spark)
    assert summary["files"] == 0
    assert summary["known_files"] == 1
    row = Lakehouse(cfg, spark).read_arrow("ops.ingest_log").to_pylist()[0]
    assert row["landing_file"] == "events-2026-09-01-000.jsonl"
    assert len(row["content_hash"]) == 64 and row["duplicate_of"] is None

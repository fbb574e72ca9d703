"""A landing file ingested by nearline_ingest is skipped by the daily ingest (ops.ingest_log)."""
import json
from pathlib import Path

from tailor.runtime import execute


def _write(path: Path, ids):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(
        {"event_id": i, "event_type": "view", "ts": "2026-09-06T09:00:00Z", "anonymous_id": "a9",
         "item_id": "I9"}) for i in ids) + "\n")


def test_daily_ingest_skips_files_the_nearline_ingest_took(spark, cfg):
    import tailor.jobs.ingest as daily
    import tailor.jobs.nearline_ingest as nearline
    from tailor.lakehouse import Lakehouse

    landing = Path(cfg.landing_dir)
    _write(landing / "events-2026-09-06-000.jsonl", ["n1", "n2"])
    assert execute("nearline_ingest", nearline.run, "2026-09-06", cfg=cfg, spark=spark)["files"] == 1
    lh = Lakehouse(cfg, spark)
    bronze_version = lh.version("bronze.events")

    skipped = execute("ingest", daily.run, "2026-09-06", cfg=cfg, spark=spark)
    assert skipped["files"] == 0 and lh.version("bronze.events") == bronze_version

    _write(landing / "events-2026-09-06-001.jsonl", ["n3"])
    later = execute("ingest", daily.run, "2026-09-06", cfg=cfg, spark=spark)
    assert later["files"] == 1
    log = lh.read_arrow("ops.ingest_log").column("landing_file").to_pylist()
    assert sorted(log) == ["events-2026-09-06-000.jsonl", "events-2026-09-06-001.jsonl"]
    # ...and the nearline stream, which has never seen the daily job's file, skips it too.
    again = execute("nearline_ingest", nearline.run, "2026-09-06", cfg=cfg, spark=spark)
    assert (again["files"], again["skipped_files"]) == (0, 1)
    assert sorted(r.event_id for r in lh.read("bronze.events").collect()) == ["n1", "n2", "n3"]

"""A second nearline_ingest run with no new landing files commits nothing; a new file is picked up."""
import json
from pathlib import Path

from tailor.runtime import execute

TABLES = ("bronze.events", "bronze.quarantine", "ops.ingest_log")


def _write(path: Path, events):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")


def _view(i):
    return {"event_id": f"v{i}", "event_type": "view", "ts": "2026-09-05T08:00:00Z",
            "customer_id": "c1", "item_id": f"I{i}"}


def test_second_run_without_new_files_is_a_no_op(spark, cfg):
    import tailor.jobs.nearline_ingest as job
    from tailor.lakehouse import Lakehouse

    landing = Path(cfg.landing_dir)
    _write(landing / "events-2026-09-05-000.jsonl", [_view(1), _view(2)])
    first = execute("nearline_ingest", job.run, "2026-09-05", cfg=cfg, spark=spark)
    assert (first["files"], first["events"]) == (1, 2)
    lh = Lakehouse(cfg, spark)
    versions = {t: lh.version(t) for t in TABLES}

    again = execute("nearline_ingest", job.run, "2026-09-05", cfg=cfg, spark=spark)
    assert (again["batches"], again["files"], again["events"]) == (0, 0, 0)
    assert {t: lh.version(t) for t in TABLES} == versions

    _write(landing / "events-2026-09-05-001.jsonl", [_view(2), _view(3)])  # v2 is a duplicate
    third = execute("nearline_ingest", job.run, "2026-09-05", cfg=cfg, spark=spark)
    assert third["files"] == 1
    assert sorted(r.event_id for r in lh.read("bronze.events").collect()) == ["v1", "v2", "v3"]

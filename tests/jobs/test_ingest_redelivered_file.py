"""The same landing file re-delivered under another name is not ingested again: no second set
of quarantine rows, no new events; the log names it as a duplicate of the first."""
import json

from tailor.runtime import execute


def _write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def test_redelivered_file_adds_nothing(spark, cfg_with, tmp_path):
    import tailor.jobs.ingest as ingest
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(quality={"max_quarantine_share": 0.9})
    lines = [json.dumps({"event_id": "r1", "event_type": "view", "ts": "2026-09-01T10:00:00Z",
                         "anonymous_id": "a1", "item_id": "I1"}), "{broken", "[]"]
    landing = tmp_path / "landing"
    _write(landing / "events-2026-09-01-000.jsonl", lines)
    first = execute("ingest", ingest.run, "2026-09-01", cfg=cfg, spark=spark)
    assert (first["events"], first["quarantined"]) == (1, 2)

    _write(landing / "resent" / "events-2026-09-01-000-copy.jsonl", lines)  # same bytes
    again = execute("ingest", ingest.run, "2026-09-02", cfg=cfg, spark=spark)
    lh = Lakehouse(cfg, spark)
    assert lh.read("bronze.quarantine").count() == 2
    assert lh.read("bronze.events").count() == 1
    assert (again["files"], again["duplicate_files"], again["events"]) == (0, 1, 0)
    logged = {r["landing_file"]: r for r in lh.read_arrow("ops.ingest_log").to_pylist()}
    copy = logged["resent/events-2026-09-01-000-copy.jsonl"]
    assert copy["duplicate_of"] == "events-2026-09-01-000.jsonl"
    assert (copy["rows_good"], copy["rows_quarantined"]) == (0, 0)
    assert copy["content_hash"] == logged["events-2026-09-01-000.jsonl"]["content_hash"]

    quiet = execute("ingest", ingest.run, "2026-09-03", cfg=cfg, spark=spark)
    assert quiet["files"] == 0 and quiet.get("duplicate_files", 0) == 0  # logged: not re-hashed

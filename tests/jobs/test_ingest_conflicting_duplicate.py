"""An event_id seen again with different content is not silently dropped: the event bronze
already holds (or, within one run, the first received) stays, the other line goes to quarantine
as conflicting_duplicate; an exact repeat is still just a duplicate."""
import json

from tailor.runtime import execute


def _line(eid, item, ts="2026-09-01T10:00:00Z"):
    return json.dumps({"event_id": eid, "event_type": "view", "ts": ts, "anonymous_id": "a1",
                       "item_id": item})


def _write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def test_conflicting_duplicates_are_quarantined(spark, cfg_with, tmp_path):
    import tailor.jobs.ingest as ingest
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(quality={"max_quarantine_share": 0.9})
    landing = tmp_path / "landing"
    _write(landing / "events-2026-09-01-000.jsonl", [_line("d1", "I1"), _line("d2", "I2")])
    execute("ingest", ingest.run, "2026-09-01", cfg=cfg, spark=spark)

    _write(landing / "events-2026-09-01-001.jsonl", [
        _line("d1", "I1"),                                   # exact repeat: a plain duplicate
        _line("d2", "I9"),                                   # same id, other item: conflict
        _line("d3", "I3"), _line("d3", "I4"),                # conflict within one file
        _line("d4", "I5", ts="2026-08-30T10:00:00Z")])
    _write(landing / "events-2026-09-01-002.jsonl", [_line("d4", "I5")])  # other date: conflict
    summary = execute("ingest", ingest.run, "2026-09-02", cfg=cfg, spark=spark)
    assert summary["quarantine_reasons"] == {"conflicting_duplicate": 3}
    assert (summary["events"], summary["duplicates"], summary["conflicting_duplicates"]) == (2, 1, 3)

    lh = Lakehouse(cfg, spark)
    bronze = {r.event_id: r.item_id for r in lh.read("bronze.events").collect()}
    assert lh.read("bronze.events").count() == 4
    # d3's two lines came in one file: one is kept (deterministically), the other quarantined
    d3_kept = bronze.pop("d3")
    d3_other = {"I3": "I4", "I4": "I3"}[d3_kept]
    assert bronze == {"d1": "I1", "d2": "I2", "d4": "I5"}
    assert lh.read("bronze.events").where("event_id = 'd4'").first().event_date == "2026-08-30"
    quarantined = sorted((r["landing_file"], json.loads(r["raw_line"])["item_id"], r["reason"])
                         for r in lh.read_arrow("bronze.quarantine").to_pylist())
    assert quarantined == sorted([
        ("events-2026-09-01-001.jsonl", d3_other, "conflicting_duplicate"),
        ("events-2026-09-01-001.jsonl", "I9", "conflicting_duplicate"),
        ("events-2026-09-01-002.jsonl", "I5", "conflicting_duplicate")])
    rows = {r["landing_file"]: (r["rows_good"], r["rows_quarantined"])
            for r in lh.read_arrow("ops.ingest_log").to_pylist()}
    assert rows["events-2026-09-01-001.jsonl"] == (3, 2)
    assert rows["events-2026-09-01-002.jsonl"] == (0, 1)

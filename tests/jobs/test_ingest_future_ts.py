"""Events dated beyond ``ingest.max_future_skew_seconds`` after their arrival are quarantined as
future_ts by both ingest paths. "Arrival" is the pipeline clock's: when live the wall clock (a
year-2999 event is refused); in replay the end of the landing file's day, so a simulated world
dated after today still ingests while an event dated past its own file's day does not."""
import json

from tailor.runtime import execute


def _line(eid, ts):
    return json.dumps({"event_id": eid, "event_type": "view", "ts": ts, "anonymous_id": "a1",
                       "item_id": "I1"})


def _write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _reasons(lh):
    return sorted((json.loads(r["raw_line"])["event_id"], r["reason"])
                  for r in lh.read_arrow("bronze.quarantine").to_pylist())


def test_replay_judges_against_the_files_day(spark, cfg_with, tmp_path):
    import tailor.jobs.ingest as ingest
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(clock={"mode": "replay"}, quality={"max_quarantine_share": 0.9})
    _write(tmp_path / "landing" / "events-2999-01-01-000.jsonl", [
        _line("f1", "2999-01-01T23:59:00Z"),
        _line("f2", "2999-01-02T00:04:00Z"),    # 4 minutes after the file arrived: within skew
        _line("f3", "2999-01-02T00:06:00Z")])   # 6 minutes: future
    summary = execute("ingest", ingest.run, "2999-01-01", cfg=cfg, spark=spark)
    assert summary["quarantine_reasons"] == {"future_ts": 1}
    lh = Lakehouse(cfg, spark)
    assert sorted(r.event_id for r in lh.read("bronze.events").collect()) == ["f1", "f2"]
    assert _reasons(lh) == [("f3", "future_ts")]


def test_live_judges_against_the_wall_clock_in_both_ingest_paths(spark, cfg_with, tmp_path):
    import tailor.jobs.ingest as daily
    import tailor.jobs.nearline_ingest as nearline
    from tailor.lakehouse import Lakehouse

    cfg = cfg_with(clock={"mode": "live"}, quality={"max_quarantine_share": 0.9})
    landing = tmp_path / "landing"
    _write(landing / "events-2999-01-01-000.jsonl", [_line("n1", "2026-09-01T10:00:00Z"),
                                                     _line("n2", "2999-01-01T10:00:00Z")])
    assert execute("nearline_ingest", nearline.run, "2026-09-01", cfg=cfg,
                   spark=spark)["quarantine_reasons"] == {"future_ts": 1}
    _write(landing / "events-2999-01-01-001.jsonl", [_line("d0", "2026-09-01T11:00:00Z"),
                                                     _line("d1", "2999-01-01T11:00:00Z")])
    assert execute("ingest", daily.run, "2026-09-01", cfg=cfg,
                   spark=spark)["quarantine_reasons"] == {"future_ts": 1}
    lh = Lakehouse(cfg, spark)
    assert sorted(r.event_id for r in lh.read("bronze.events").collect()) == ["d0", "n1"]
    assert _reasons(lh) == [("d1", "future_ts"), ("n2", "future_ts")]

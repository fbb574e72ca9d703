"""ingest: good lines reach bronze once, bad lines reach quarantine with a reason, reruns are no-ops."""
import json

import pytest

from tailor.runtime import execute


def _write(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _event(i, **kw):
    e = {"event_id": f"e{i}", "event_type": "view", "ts": "2026-09-01T10:00:00Z",
         "anonymous_id": "a1", "item_id": "I1"}
    e.update(kw)
    return json.dumps(e)


@pytest.fixture
def job_cfg(cfg):
    return cfg.model_copy(update={"quality": cfg.quality.model_copy(update={"max_quarantine_share": 0.9})})


def test_ingest_dedupes_quarantines_and_is_exactly_once(spark, job_cfg, tmp_path):
    import tailor.jobs.ingest as ingest

    landing = tmp_path / "landing"
    _write(landing / "events-2026-09-01-000.jsonl",
           [_event(1), _event(1), "{not json", _event(3, event_type="teleport"),
            _event(4, price=-1.0)])
    # (in replay a file named for 09-01 arrived at its end: an event of 09-02 01:00 in it would
    # be dated in its future, so 09-02's event comes in 09-02's file)
    _write(landing / "events-2026-09-02-000.jsonl", [_event(2, ts="2026-09-02T01:00:00Z")])
    first = execute("ingest", ingest.run, "2026-09-02", cfg=job_cfg, spark=spark)
    assert first["lines"] == 6 and first["events"] == 2 and first["duplicates"] == 1  # new rows
    assert first["quarantined"] == 3
    assert first["quarantine_reasons"] == {"invalid_json": 1, "unknown_event_type:teleport": 1,
                                           "bad_value:price": 1}
    from tailor.lakehouse import Lakehouse

    lh = Lakehouse(job_cfg, spark)
    bronze = lh.read("bronze.events")
    assert sorted(r.event_id for r in bronze.collect()) == ["e1", "e2"]
    assert sorted(r.event_date for r in bronze.collect()) == ["2026-09-01", "2026-09-02"]
    versions = {t: lh.version(t) for t in ("bronze.events", "bronze.quarantine", "ops.ingest_log")}

    rerun = execute("ingest", ingest.run, "2026-09-02", cfg=job_cfg, spark=spark)
    assert rerun["files"] == 0
    assert {t: lh.version(t) for t in versions} == versions

    _write(landing / "events-2026-09-03-000.jsonl", [_event(1), _event(5)])  # e1 again: duplicate
    third = execute("ingest", ingest.run, "2026-09-03", cfg=job_cfg, spark=spark)
    assert third["files"] == 1
    assert sorted(r.event_id for r in lh.read("bronze.events").collect()) == ["e1", "e2", "e5"]


def test_too_many_malformed_lines_fail_the_run_but_keep_good_rows(spark, cfg, tmp_path):
    import tailor.jobs.ingest as ingest

    _write(tmp_path / "landing" / "events-2026-09-01-000.jsonl", [_event(1), "garbage", "junk"])
    with pytest.raises(ingest.QuarantineRateError, match="bronze.quarantine"):
        execute("ingest", ingest.run, "2026-09-01", cfg=cfg, spark=spark)
    from tailor.lakehouse import Lakehouse

    lh = Lakehouse(cfg, spark)
    assert lh.read("bronze.events").count() == 1
    assert lh.read("bronze.quarantine").count() == 2

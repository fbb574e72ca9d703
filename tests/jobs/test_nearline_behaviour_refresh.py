"""behaviour_refresh recomputes the behaviour group for ds from silver plus bronze events the
daily identity job has not resolved yet (an anonymous device linked through the identity map)."""
import json
from pathlib import Path

from tailor.runtime import execute

DS = "2026-09-12"


def _write(path: Path, events):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")


def _view(eid, ts, **who):
    return {"event_id": eid, "event_type": "view", "ts": f"2026-09-12T{ts}Z", "item_id": "I1", **who}


def test_refresh_counts_new_bronze_events_for_the_right_person(spark, cfg, lakehouse):
    import tailor.jobs.behaviour_refresh as refresh
    import tailor.jobs.identity as identity
    import tailor.jobs.nearline_ingest as ingest
    from tailor.features.registry import GROUPS
    from tailor.privacy import pseudonymise

    landing = Path(cfg.landing_dir)
    _write(landing / "events-2026-09-12-000.jsonl", [
        {"event_id": "l1", "event_type": "login", "ts": "2026-09-12T01:00:00Z",
         "customer_id": "c1", "device_id": "d1"},
        _view("v1", "02:00:00", customer_id="c1")])
    execute("nearline_ingest", ingest.run, DS, cfg=cfg, spark=spark)
    execute("identity", identity.run, DS, cfg=cfg, spark=spark)  # the daily run: silver + map
    _write(landing / "events-2026-09-12-001.jsonl", [
        _view("v2", "20:00:00", device_id="d1"), _view("v3", "21:00:00", device_id="d1")])
    execute("nearline_ingest", ingest.run, DS, cfg=cfg, spark=spark)

    summary = execute("behaviour_refresh", refresh.run, DS, cfg=cfg, spark=spark)
    assert summary["unresolved_bronze_events"] == 2
    table = GROUPS["behaviour"].table
    rows = lakehouse.read(table, partitions={"ds": DS}).collect()
    c1 = pseudonymise("c1", cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)
    assert [(r.person_id, r.views_24h, r.views_7d) for r in rows] == [(c1, 3, 3)]

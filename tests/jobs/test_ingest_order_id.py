"""An event's ``order_id`` is kept from landing through bronze to silver (identity); a
non-string order id is quarantined with its reason; events without one keep it null."""
import json

from tailor.runtime import execute


def _line(i, **kw):
    e = {"event_id": f"e{i}", "event_type": "purchase", "ts": "2026-09-01T10:00:00Z",
         "customer_id": "c1", "item_id": f"I{i}", "price": 2.5, "quantity": 1}
    e.update(kw)
    return json.dumps(e)


def test_order_id_reaches_silver(spark, cfg, tmp_path):
    import tailor.jobs.identity as identity
    import tailor.jobs.ingest as ingest
    from tailor.lakehouse import Lakehouse

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "events-2026-09-01-000.jsonl").write_text("\n".join(
        [_line(1, order_id="A"), _line(2, order_id="A"), _line(3), _line(4, order_id=7)]) + "\n")
    job_cfg = cfg.model_copy(update={"quality": cfg.quality.model_copy(
        update={"max_quarantine_share": 0.9})})
    report = execute("ingest", ingest.run, "2026-09-01", cfg=job_cfg, spark=spark)
    assert report["quarantine_reasons"] == {"bad_type:order_id": 1}
    execute("identity", identity.run, "2026-09-01", cfg=job_cfg, spark=spark)
    lh = Lakehouse(job_cfg, spark)
    for name in ("bronze.events", "silver.events"):
        got = {r.event_id: r.order_id for r in lh.read(name).collect()}
        assert got == {"e1": "A", "e2": "A", "e3": None}, name

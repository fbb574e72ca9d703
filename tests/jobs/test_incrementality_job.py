"""jobs/incrementality on real Delta tables: a day is evaluated once its window is complete (an
incomplete one is skipped and left for a later run), a rerun of the same ds recomputes the same
rows, a later ds evaluates only the newly complete day, and the rows honour their contract."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from tailor.jobs import incrementality, validate
from tailor.lakehouse import Lakehouse
from tailor.lakehouse.tables import table_uri
from tailor.runtime import execute

DAYS = ["2026-10-01", "2026-10-02", "2026-10-05"]
PERSONS = [("t1", False, "email"), ("t2", False, None), ("t3", False, "sms"),
           ("h1", True, None), ("h2", True, None)]


@pytest.fixture
def world(cfg):
    """Decisions for three days (window 7: 10-01 is complete on 10-08, 10-02 on 10-09) and a
    purchase per treated person the day after each decision."""
    write_deltalake(table_uri(cfg.lakehouse_root, "gold.decisions"), pa.Table.from_pylist(
        [{"person_id": p, "ds": d, "holdout": h, "channel": c, "action_id": c or "no_message",
          "allowed_channels": ["email", "sms"]} for d in DAYS for p, h, c in PERSONS],
        schema=pa.schema([("person_id", pa.string()), ("ds", pa.string()),
                          ("holdout", pa.bool_()), ("channel", pa.string()),
                          ("action_id", pa.string()), ("allowed_channels", pa.list_(pa.string()))])),
        partition_by=["ds"])
    events = []
    for d in DAYS:
        at = datetime.fromisoformat(d).replace(hour=12, tzinfo=timezone.utc) + timedelta(days=1)
        for p in ("t1", "t3", "h1"):
            events.append({"person_id": p, "event_id": f"{p}-{d}", "event_type": "purchase",
                           "event_ts": at, "event_date": at.date().isoformat(), "price": 20.0,
                           "quantity": 1})
    write_deltalake(table_uri(cfg.lakehouse_root, "silver.events"), pa.Table.from_pylist(
        events, schema=pa.schema([("person_id", pa.string()), ("event_id", pa.string()),
                                  ("event_type", pa.string()),
                                  ("event_ts", pa.timestamp("us", tz="UTC")),
                                  ("event_date", pa.string()), ("price", pa.float64()),
                                  ("quantity", pa.int32())])),
        partition_by=["event_date"])
    return cfg


def _rows(cfg):
    return Lakehouse(cfg).read_arrow("ops.incrementality").to_pylist()


def test_complete_days_once_idempotently(world, spark):
    cfg = world
    first = execute("incrementality", incrementality.run, "2026-10-08", cfg=cfg, spark=spark)
    assert first["decision_days"] == ["2026-10-01"]
    assert first["incomplete_days"] == ["2026-10-02", "2026-10-05"]
    rows = _rows(cfg)
    assert sorted((r["decision_ds"], r["channel"]) for r in rows) == [
        ("2026-10-01", "all"), ("2026-10-01", "email"), ("2026-10-01", "sms")]
    overall = next(r for r in rows if r["channel"] == "all")
    assert (overall["n_treated"], overall["n_messaged"], overall["n_holdout"]) == (3, 2, 2)
    assert overall["conv_rate_treated"] == pytest.approx(2 / 3)
    assert overall["conv_rate_holdout"] == pytest.approx(1 / 2)
    # 10-01's window [10-02, 10-09) holds the purchases of 10-02, 10-03 and 10-06: 60 each
    assert overall["revenue_pp_diff"] == pytest.approx(120 / 3 - 60 / 2)

    again = execute("incrementality", incrementality.run, "2026-10-08", cfg=cfg, spark=spark)
    assert again["decision_days"] == ["2026-10-01"]
    key = lambda r: (r["decision_ds"], r["channel"])  # noqa: E731
    drop = {"computed_at"}
    assert sorted(({k: v for k, v in r.items() if k not in drop} for r in _rows(cfg)), key=key) \
        == sorted(({k: v for k, v in r.items() if k not in drop} for r in rows), key=key)

    later = execute("incrementality", incrementality.run, "2026-10-09", cfg=cfg, spark=spark)
    assert later["decision_days"] == ["2026-10-02"]              # 10-01 was done by 10-08's run
    by_run = {(r["ds"], r["decision_ds"]) for r in _rows(cfg)}
    assert by_run == {("2026-10-08", "2026-10-01"), ("2026-10-09", "2026-10-02")}

    for ds in ("2026-10-08", "2026-10-09"):
        assert validate.check("ops.incrementality", ds, cfg, data_docs=False)["success"]


def test_nothing_complete_writes_an_empty_partition(world, spark):
    cfg = world
    summary = execute("incrementality", incrementality.run, "2026-10-07", cfg=cfg, spark=spark)
    assert summary["decision_days"] == [] and summary["rows_out"] == 0
    assert summary["incomplete_days"] == DAYS
    assert _rows(cfg) == []

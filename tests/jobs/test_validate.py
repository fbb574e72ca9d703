"""jobs/validate on a real (tiny) Delta table: a breached partition fails the task with a report."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from tailor.catalog import table
from tailor.config import load_config
from tailor.jobs import validate
from tailor.quality import ContractBreach

ROOT = Path(__file__).resolve().parents[2]
BAD_DS, GOOD_DS = "2026-10-01", "2026-10-02"

SCHEMA = table("bronze.events").arrow_schema  # the catalog's columns; unset ones are null


def _event(event_id, ds, event_type="view", **fields):
    ts = datetime.fromisoformat(f"{ds}T10:00:00").replace(tzinfo=timezone.utc)
    row = {name: None for name in SCHEMA.names}
    row.update(event_id=event_id, event_type=event_type, event_ts=ts, event_date=ds,
               anonymous_id="a1", item_id="i1", landing_file=f"landing/{ds}.jsonl",
               ingested_at=ts, **fields)
    return row


@pytest.fixture
def cfg(tmp_path):
    rows = [
        _event("e1", BAD_DS),
        _event("e2", BAD_DS, "purchase", customer_id="c1", price=10.0, quantity=1),
        _event("e2", BAD_DS, "purchase", customer_id="c1", price=10.0, quantity=1),  # duplicate
        _event("e3", GOOD_DS),
        _event("e4", GOOD_DS, "message_sent", customer_id="c1", channel="push",
               message_id="m1", action_id="push@10", send_hour=10, discount=0.0,
               propensity=0.5),
    ]
    lakehouse = tmp_path / "lh"
    write_deltalake(str(lakehouse / "bronze" / "events"),
                    pa.Table.from_pylist(rows, schema=SCHEMA), partition_by=["event_date"])
    return load_config(root=ROOT, overrides={"paths": {"lakehouse": str(lakehouse),
                                                       "runs": str(tmp_path / "runs")}})


def test_breached_partition_raises_and_writes_the_report(cfg, tmp_path):
    with pytest.raises(ContractBreach) as info:
        validate.check("bronze.events", BAD_DS, cfg)

    breach = info.value
    report_dir = tmp_path / "runs" / BAD_DS / "quality" / "bronze.events"
    assert breach.failed == ["expect_column_values_to_be_unique(event_id)"]
    assert breach.report_path == str(report_dir / "report.html")
    assert "expect_column_values_to_be_unique(event_id)" in str(breach)
    assert str(report_dir / "report.html") in str(breach)

    report = json.loads((report_dir / "report.json").read_text())
    assert report["success"] is False and report["row_count"] == 3
    assert report["failed_expectations"] == ["expect_column_values_to_be_unique(event_id)"]
    assert "BREACHED" in (report_dir / "report.html").read_text()
    assert (report_dir / "gx_validation_result.json").exists()
    assert os.path.exists(breach.result.reports["data_docs"])  # GX data docs page


def test_the_job_reads_only_the_ds_partition(cfg):
    summary = validate.check("bronze.events", GOOD_DS, cfg, data_docs=False)

    assert summary["success"] and summary["failed"] == []
    assert summary["rows"] == 2 and summary["partition"] == {"event_date": GOOD_DS}
    assert os.path.exists(summary["report"]) and summary["data_docs"] is None


def test_breach_is_reported_not_raised_when_fail_on_breach_is_off(cfg):
    cfg = cfg.model_copy(update={"quality": cfg.quality.model_copy(
        update={"fail_on_breach": False})})

    summary = validate.check("bronze.events", BAD_DS, cfg, data_docs=False)

    assert summary["success"] is False
    assert summary["failed"] == ["expect_column_values_to_be_unique(event_id)"]


def test_gold_decisions_read_back_from_delta_pass(tmp_path):
    """List columns come back as numpy arrays, nullable ints/bools as Int32/boolean: still valid."""
    ts = datetime(2026, 10, 1, 2, tzinfo=timezone.utc)
    common = dict(ds=BAD_DS, policy_version="p1", offer=None, discount=0.0, ltv_pred=1.0,
                  churn_prob=0.1, explanation="because", decided_at=ts, guardrails=[],
                  model_versions='{"ltv": "1"}', feature_versions="{}", data_versions="{}")
    rows = [
        dict(common, person_id="p1", items=["i1", "i2"], item_scores=[0.5, 0.2],
             action_id="push@18", channel="push", send_hour=18, propensity=0.9,
             exploration=False, holdout=False, allowed_channels=["email", "push"]),
        dict(common, person_id="p2", items=[], item_scores=[], action_id="no_message",
             channel=None, send_hour=None, propensity=1.0, exploration=None, holdout=None,
             allowed_channels=[]),
    ]
    schema = table("gold.decisions").arrow_schema  # columns the rows leave out are null
    write_deltalake(str(tmp_path / "lh" / "gold" / "decisions"),
                    pa.Table.from_pylist(rows, schema=schema), partition_by=["ds"])
    cfg = load_config(root=ROOT, overrides={"paths": {"lakehouse": str(tmp_path / "lh"),
                                                      "runs": str(tmp_path / "runs")}})

    summary = validate.check("gold.decisions", BAD_DS, cfg, data_docs=False)

    assert summary["success"], summary["failed"]
    assert summary["rows"] == 2 and summary["warnings"] == []

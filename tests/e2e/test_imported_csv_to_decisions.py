"""Real data as users bring it, end to end in-process: a CSV of views and purchases with epoch
seconds as text, items without any category and no consent events goes through
`tailor import events` and the daily DAG's jobs in its order, with its contracts (ingest →
identity → features → training_sets → train → score → decide → publish) to a published
snapshot. Consent stays opt-in (tailor/agents/guardian.py): with no consent events nobody is
messaged; recommendations are still served; a model that did not beat its baseline on this small
set is replaced by that baseline in scoring (models/serving_model.py).

Slow (every job is real Spark / Delta / MLflow on one shared session)."""
from __future__ import annotations

import importlib
import json
import random
from datetime import date, datetime, timedelta, timezone

import pyarrow.compute as pc
import pytest

pytestmark = pytest.mark.slow

DS = "2026-03-31"
START = date(2026, 2, 20)            # 40 days of history up to DS
CUSTOMERS, ITEMS = 90, 20
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# (job module, options) in the daily DAG's order (dags/personalization_daily.py), without the
# reporting tasks after decide (incrementality, policy_report: they gate nothing).
PIPELINE = [
    ("ingest", {}), ("validate", {"table": "bronze.events,bronze.quarantine,ops.ingest_log"}),
    ("quality_report", {}), ("identity", {}), ("materialize_features", {}),
    ("validate", {"table": "silver.*,features.*"}), ("drift", {}), ("training_sets", {}),
    ("policy_outcomes", {}), ("validate", {"table": "training.*"}), ("train", {}), ("score", {}),
    ("train_policy", {}), ("decide", {}),
    ("validate", {"table": "gold.user_scores,gold.recommendations,gold.decisions,ops.quality"}),
    ("publish", {}),
]


def _csv_rows() -> list[dict[str, str]]:
    """Views and purchases; ``when`` = epoch seconds as text; no category, no consent."""
    rng = random.Random(13)
    rows = []
    for c in range(CUSTOMERS):
        appetite = rng.uniform(0.05, 0.6)            # how often a view turns into an order
        for d in range((DS_DATE - START).days + 1):
            if rng.random() > 0.35:
                continue
            day = START + timedelta(days=d)
            for _ in range(rng.randint(1, 3)):
                item = min(int(rng.expovariate(0.15)), ITEMS - 1)
                at = datetime(day.year, day.month, day.day, rng.randint(7, 22), rng.randint(0, 59),
                              rng.randint(0, 59), tzinfo=timezone.utc)
                secs = str(int((at - EPOCH).total_seconds()))
                rows.append({"user": f"cust{c:03d}", "sku": f"item{item:02d}", "kind": "view",
                             "when": secs, "amount": "", "qty": ""})
                if rng.random() < appetite:
                    rows.append({"user": f"cust{c:03d}", "sku": f"item{item:02d}",
                                 "kind": "purchase", "when": str(int(secs) + 300),
                                 "amount": f"{5 + item * 1.5:.2f}", "qty": "1"})
    return rows


DS_DATE = date.fromisoformat(DS)


def test_imported_epoch_csv_without_categories_or_consent_is_published(
        tmp_path, spark, cfg_with, capsys):
    import polars as pl

    from tailor.cli import main as tailor
    from tailor.lakehouse import Lakehouse
    from tailor.privacy import pseudonymise
    from tailor.runtime import execute
    from tailor.serving.snapshot import load_snapshot, read_current

    cfg = cfg_with(models={"training_cutoffs": 2, "cutoff_step_days": 7, "label_horizon_days": 7},
                   clock={"mode": "replay"}, quality={"data_docs": False},
                   policy={"outcomes": {"lookback_days": 7}, "learning": {"eval_days": 2}})
    rows = _csv_rows()
    src = tmp_path / "shop.csv"
    pl.DataFrame(rows).write_csv(src)

    # 1. import: epoch seconds as CSV text, each row's own kind
    code = tailor(["import", "events", str(src), "--map", "user=customer_id", "--map", "sku=item_id",
                   "--map", "kind=event_type", "--map", "when=ts", "--map", "amount=price",
                   "--map", "qty=quantity", "--namespace", "shop", "--out", cfg.landing_dir,
                   "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and (report["rows"], report["events"], report["rejected"]) == (len(rows), len(rows), 0)
    assert report["last_day"] == DS and report["customers"] == CUSTOMERS

    # 2. the daily DAG's jobs, in order, in this process (contracts raise on a breach)
    summaries = {}
    for job, options in PIPELINE:
        module = importlib.import_module(f"tailor.jobs.{job}")
        name = job if job != "validate" else f"validate {options['table']}"
        summaries[name] = execute(job, module.run, DS, cfg=cfg, spark=spark, options=options)

    lh = Lakehouse(cfg, spark)
    # every row's epoch text became its exact instant; nothing was quarantined (no table at all)
    bronze = lh.read_arrow("bronze.events", columns=["customer_id", "event_type", "event_ts"])
    micros = pc.cast(bronze["event_ts"], "int64").to_pylist()
    assert sorted(zip(bronze["customer_id"].to_pylist(), bronze["event_type"].to_pylist(),
                      (m // 1_000_000 for m in micros))) == \
        sorted((r["user"], r["kind"], int(r["when"])) for r in rows)
    assert not lh.exists("bronze.quarantine")

    # no categories: category_match is the declared fill 0 everywhere (the contract passed)
    ranker = lh.read_arrow("training.ranker").to_pandas()
    assert len(ranker) > 0 and set(ranker["category_match"].unique()) == {0.0}

    # scoring: a champion where a model beat its baseline, else that baseline, said so
    trained = summaries["train"]["models"]
    scores = lh.read_arrow("gold.user_scores", partitions={"ds": DS}).to_pandas()
    for name, col in (("ltv", "ltv_version"), ("churn", "churn_version")):
        want = str(trained[name]["version"]) if trained[name]["promoted"] else "baseline:"
        assert scores[col].str.startswith(want).all(), (name, trained[name]["reason"], scores[col].unique())

    # decisions: everyone known is decided; no consent events = no consented channel = no message
    decisions = lh.read_arrow("gold.decisions", partitions={"ds": DS})
    assert decisions.num_rows == len(scores)
    assert set(pc.unique(decisions["action_id"]).to_pylist()) == {"no_message"}
    assert all(channels == [] for channels in decisions["allowed_channels"].to_pylist())
    assert all("consent_missing:email" in g for g in decisions["guardrails"].to_pylist())
    assert sum(len(items) > 0 for items in decisions["items"].to_pylist()) == decisions.num_rows

    # published: CURRENT is this run's snapshot and every customer has a record
    assert read_current(cfg.serving_dir) == summaries["publish"]["snapshot_id"]
    snapshot = load_snapshot(cfg.serving_dir)
    try:
        key, length = cfg.privacy.pseudonym_key, cfg.privacy.person_id_length
        served = [c for c in {r["user"] for r in rows}
                  if snapshot.get(pseudonymise(c, key, length)) is not None]
    finally:
        snapshot.close()
    assert len(served) == CUSTOMERS

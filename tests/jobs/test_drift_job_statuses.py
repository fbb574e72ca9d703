"""The drift job compares today's person features with the exact training snapshot of the churn
champion (found through MLflow's data_versions, read by Delta time travel) and sets each
feature's status from the thresholds; a block makes ``assert_trainable`` refuse training.

Real Delta tables (delta-rs), a real MLflow store with a real champion, real Spark for the write.
"""
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from features.registry import GROUPS
from jobs.drift import drift_run
from models.training import train_and_register
from tailor.drift import DriftBlocked, DriftConfig, assert_trainable
from tailor.lakehouse import Lakehouse
from tailor.lakehouse.tables import table_uri
from tailor.runtime import JobContext

DS, CUTOFF, N = "2026-10-15", "2026-10-01", 1500


def _people(rng, n, prefix):
    return pd.DataFrame({"person_id": [f"{prefix}{i:05d}" for i in range(n)],
                         "recency_days": rng.uniform(0, 120, n),
                         "frequency": rng.poisson(3, n).astype(float) + 1,
                         "basket": rng.normal(50, 10, n)})


@pytest.fixture
def world(cfg):
    rng = np.random.default_rng(11)
    ref = _people(rng, N, "p")
    logit = 0.03 * (ref["recency_days"] - 60) - 0.8 * (ref["frequency"] - 4)
    ref["label"] = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(int)
    ref["cutoff"], ref["split"] = CUTOFF, np.where(rng.random(N) < 0.3, "test", "train")
    uri = table_uri(cfg.lakehouse_root, "training.churn")
    write_deltalake(uri, pa.Table.from_pandas(ref, preserve_index=False), partition_by=["cutoff"])
    # v1: a later, different snapshot; the champion was trained on v0 and drift must read v0
    later = ref.assign(basket=ref["basket"] + 100)
    write_deltalake(uri, pa.Table.from_pandas(later, preserve_index=False), mode="overwrite")
    result = train_and_register("churn", ref, ["recency_days", "frequency", "basket"],
                                {"training.churn": 0}, cfg)
    assert result.promoted, result.reason

    today = _people(np.random.default_rng(12), N, "q")
    today["recency_days"] = ref["recency_days"].to_numpy()          # unchanged       -> ok
    moved = today["frequency"].to_numpy().copy()                     # some mass moved -> warn
    moved[: N // 5] += 5                                             # PSI ~0.15
    today["frequency"] = moved
    today["basket"] = today["basket"] + 15                           # 1.5 sigma        -> block
    today["favourite_category"] = "music"
    today["ds"] = DS
    write_deltalake(table_uri(cfg.lakehouse_root, GROUPS["profile"].table),
                    pa.Table.from_pandas(today, preserve_index=False), partition_by=["ds"])
    return cfg


def test_statuses_follow_thresholds_and_block_stops_training(world, spark):
    cfg = world
    lh = Lakehouse(cfg, spark)
    ctx = JobContext(cfg=cfg, ds=DS, job="drift", _spark=spark, _lakehouse=lh)

    summary = drift_run(ctx, DriftConfig(warn_psi=0.1, block_psi=0.25, models=["churn"]))
    rows = lh.read_arrow("ops.feature_drift", partitions={"ds": DS}).to_pandas()
    got = dict(zip(rows["feature"], rows["status"]))
    psi = dict(zip(rows["feature"], rows["psi"]))
    assert got == {"recency_days": "ok", "frequency": "warn", "basket": "block"}, psi
    assert set(rows["reference_version"]) == {0} and set(rows["reference_cutoff"]) == {CUTOFF}
    assert summary["status"] == "block" and summary["block"] and summary["warn"]
    with pytest.raises(DriftBlocked, match="churn.basket"):
        assert_trainable(cfg, DS, lh)

    # same data, looser thresholds: the rerun replaces the day's rows and training may go on
    summary = drift_run(ctx, DriftConfig(warn_psi=0.1, block_psi=50.0, models=["churn"]))
    rows = lh.read_arrow("ops.feature_drift", partitions={"ds": DS}).to_pandas()
    assert len(rows) == 3 and set(rows["status"]) == {"ok", "warn"}
    assert summary["status"] == "warn" and "WARNING" in summary["summary"]
    assert assert_trainable(cfg, DS, lh)["drift"] == "warn"

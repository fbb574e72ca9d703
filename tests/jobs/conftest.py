"""Fixtures shared by the jobs tests."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VALIDATE_DS = "2026-10-02"


@pytest.fixture
def validate_cfg(tmp_path):
    """A config whose lakehouse holds two tables for the validate job on ``VALIDATE_DS``.

    ``ops.ingest_log``: two rows on the day (fine) and a file ingested twice on an earlier day
    (not that day's business); ``gold.user_scores``: a churn probability of 1.3 (breached).
    Every other table is missing. Not ``cfg``: that name is the root conftest's fixture.
    """
    import pyarrow as pa
    from deltalake import write_deltalake

    from tailor.config import load_config

    ds, ts = VALIDATE_DS, datetime(2026, 10, 2, 23, tzinfo=timezone.utc)
    lh = tmp_path / "lh"
    write_deltalake(str(lh / "ops" / "ingest_log"), pa.table({
        "landing_file": ["a", "b", "old", "old"],
        "content_hash": ["a" * 64, "b" * 64, "c" * 64, "c" * 64],
        "duplicate_of": pa.array([None] * 4, pa.string()), "rows_good": [10, 20, 5, 5],
        "rows_quarantined": [0, 1, 0, 0], "ds": [ds, ds, "2026-10-01", "2026-10-01"],
        "ingested_at": pa.array([ts] * 4, pa.timestamp("us", tz="UTC")),
        "bronze_version": [3, 4, 1, 2]}))
    write_deltalake(str(lh / "gold" / "user_scores"), pa.table({
        "person_id": ["p1", "p2"], "ltv_pred": [1.0, 2.0], "churn_prob": [0.1, 1.3],
        "ltv_version": ["1", "1"], "churn_version": ["1", "1"], "ds": [ds, ds],
        "ltv_lifetime": [4.0, 8.0], "ltv_lifetime_days": pa.array([365, 365], pa.int32())}),
        partition_by=["ds"])
    return load_config(root=ROOT, overrides={"paths": {"lakehouse": str(lh),
                                                       "runs": str(tmp_path / "runs")}})


@pytest.fixture
def drift_world(cfg):
    """``make(cutoff, ds, trained_ds)``: a churn champion trained (by the run for ``trained_ds``,
    if given) on ``training.churn`` v0 at ``cutoff`` (v1
    is a later, different snapshot: drift must read v0 by time travel) and today's profile
    features at ``ds`` where recency is unchanged (ok), some frequency mass moved (PSI ~0.15:
    warn) and basket moved 1.5 sigma (block). Returns the config."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from deltalake import write_deltalake

    from tailor.features.registry import GROUPS
    from tailor.lakehouse.tables import table_uri
    from tailor.models.training import train_and_register

    n = 1500

    def people(rng, prefix):
        return pd.DataFrame({"person_id": [f"{prefix}{i:05d}" for i in range(n)],
                             "recency_days": rng.uniform(0, 120, n),
                             "frequency": rng.poisson(3, n).astype(float) + 1,
                             "basket": rng.normal(50, 10, n)})

    def make(cutoff: str, ds: str, trained_ds: str | None = None):
        rng = np.random.default_rng(11)
        ref = people(rng, "p")
        # basket (not an RFM input) matters most: the model beats the RFM-logistic baseline
        logit = (0.03 * (ref["recency_days"] - 60) - 0.8 * (ref["frequency"] - 4)
                 - 0.2 * (ref["basket"] - 50))
        ref["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
        ref["cutoff"], ref["split"] = cutoff, np.where(rng.random(n) < 0.3, "test", "train")
        uri = table_uri(cfg.lakehouse_root, "training.churn")
        write_deltalake(uri, pa.Table.from_pandas(ref, preserve_index=False),
                        partition_by=["cutoff"])
        later = ref.assign(basket=ref["basket"] + 100)
        write_deltalake(uri, pa.Table.from_pandas(later, preserve_index=False), mode="overwrite")
        # trained_ds: the run that trained it logged its ds (jobs/train.py); None: an older run
        result = train_and_register("churn", ref, ["recency_days", "frequency", "basket"],
                                    {"training.churn": 0}, cfg,
                                    extra_params={"ds": trained_ds} if trained_ds else None)
        assert result.promoted, result.reason

        today = people(np.random.default_rng(12), "q")
        today["recency_days"] = ref["recency_days"].to_numpy()
        moved = today["frequency"].to_numpy().copy()
        moved[: n // 5] += 5
        today["frequency"] = moved
        today["basket"] = today["basket"] + 15
        today["favourite_category"] = "music"
        today["ds"] = ds
        write_deltalake(table_uri(cfg.lakehouse_root, GROUPS["profile"].table),
                        pa.Table.from_pandas(today, preserve_index=False), partition_by=["ds"])
        return cfg

    return make

"""Implicit-only data (views, no order) gives every churn label 1: the train job skips churn
with the reason instead of failing the run, trains the others, and scoring then serves churn's
baseline (recency), named in provenance. A malformed training set still fails the job."""
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from deltalake import write_deltalake

import tailor.jobs.train as train_job
from tailor.features.labels import cutoffs_for
from tailor.lakehouse import Lakehouse
from tailor.lakehouse.tables import table_uri
from tailor.models.serving_model import serving_model
from tailor.runtime import JobContext

DS = "2026-10-15"


def _write(cfg, name, frame):
    write_deltalake(table_uri(cfg.lakehouse_root, f"training.{name}"),
                    pa.Table.from_pandas(frame, preserve_index=False), partition_by=["cutoff"])


def _persons(cfg, n=200):
    rng = np.random.default_rng(3)
    cutoff = cutoffs_for(DS, cfg)[0]
    return pd.DataFrame({"person_id": [f"p{i:03d}" for i in range(n)], "cutoff": cutoff,
                         "split": np.where(np.arange(n) % 4 == 0, "test", "train"),
                         "recency_days": rng.uniform(0, 60, n), "frequency": rng.poisson(2, n) * 1.0,
                         "views_30d": rng.poisson(5, n) * 1.0})


def _tables(cfg, churn_label):
    persons = _persons(cfg)
    _write(cfg, "ltv", persons.assign(label=persons["views_30d"] * 2.0))
    _write(cfg, "churn", persons.assign(label=churn_label(persons)))
    ranker = persons.loc[persons.index.repeat(3)].reset_index(drop=True)
    ranker["item_id"] = [f"i{k % 3}" for k in range(len(ranker))]
    ranker["popularity"] = (ranker.index % 3).astype(float)
    ranker["label"] = (ranker.index % 3 == 2).astype(float)
    _write(cfg, "ranker", ranker.drop(columns=["views_30d"]))


def test_single_class_churn_is_skipped_and_its_baseline_serves(cfg):
    _tables(cfg, lambda p: np.ones(len(p), "int32"))   # nobody ordered: everybody churned

    summary = train_job.run(JobContext(cfg, DS, job="train"))
    models = summary["models"]

    assert models["churn"] == {"trained": False, "version": None, "promoted": False,
                               "reason": "not trained: churn: train labels hold a single class "
                                         "(1); nothing to learn"}
    assert models["ltv"]["trained"] and models["ranker"]["trained"]
    serving = serving_model("churn", cfg, Lakehouse(cfg))
    assert serving.version == "baseline:recency" and serving.model is None  # the fallback, named
    assert (serving.predict(_persons(cfg).head(5)) == 1.0).all()
    # the run's models report says so, and each trained model's MLflow run carries it
    page = open(summary["report"]).read()
    assert "churn — not trained" in page and "ltv — " in page and "<img" in page
    from mlflow import MlflowClient

    client = MlflowClient(cfg.mlflow_tracking_uri)
    logged = [a.path for a in client.list_artifacts(models["ltv"]["run_id"], "reports")]
    assert logged == ["reports/models.html"]


def test_malformed_training_set_still_fails(cfg):
    _tables(cfg, lambda p: np.where(np.arange(len(p)) % 2 == 0, 1.0, np.nan))  # labels missing
    with pytest.raises(ValueError, match="rows have no label"):
        train_job.run(JobContext(cfg, DS, job="train"))

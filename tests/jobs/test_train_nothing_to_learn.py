"""Implicit-only data (views, no order) gives every churn label 1: the train job skips churn
with the reason instead of failing the run, trains the others, and scoring then serves churn's
baseline (recency), named in provenance. A malformed training set still fails the job."""
import numpy as np
import pytest

import tailor.jobs.train as train_job
from tailor.lakehouse import Lakehouse
from tailor.models.serving_model import serving_model
from tailor.runtime import JobContext
from tests.support.training_tables import DS, persons, write_tables


def test_single_class_churn_is_skipped_and_its_baseline_serves(cfg):
    write_tables(cfg, lambda p: np.ones(len(p), "int32"))   # nobody ordered: everybody churned

    summary = train_job.run(JobContext(cfg, DS, job="train"))
    models = summary["models"]

    assert models["churn"] == {"trained": False, "version": None, "promoted": False,
                               "reason": "not trained: churn: train labels hold a single class "
                                         "(1); nothing to learn"}
    assert models["ltv"]["trained"] and models["ranker"]["trained"]
    serving = serving_model("churn", cfg, Lakehouse(cfg))
    assert serving.version == "baseline:recency" and serving.model is None  # the fallback, named
    assert (serving.predict(persons(cfg).head(5)) == 1.0).all()
    # the run's models report says so, and each trained model's MLflow run carries it
    page = open(summary["report"]).read()
    assert "churn — not trained" in page and "ltv — " in page and "<img" in page
    from mlflow import MlflowClient

    client = MlflowClient(cfg.mlflow_tracking_uri)
    logged = [a.path for a in client.list_artifacts(models["ltv"]["run_id"], "reports")]
    assert logged == ["reports/models.html"]


def test_malformed_training_set_still_fails(cfg):
    write_tables(cfg, lambda p: np.where(np.arange(len(p)) % 2 == 0, 1.0, np.nan))  # labels missing
    with pytest.raises(ValueError, match="rows have no label"):
        train_job.run(JobContext(cfg, DS, job="train"))

"""Above models.max_training_rows the train job trains on every row of a stable sample of
persons — each model capped on its own rows — and says so in its summary and MLflow run."""
import numpy as np
from mlflow import MlflowClient

import tailor.jobs.train as train_job
from tailor.runtime import JobContext
from tests.support.training_tables import DS, write_tables


def test_large_training_sets_are_sampled_by_person(cfg):
    write_tables(cfg, lambda p: (np.arange(len(p)) % 3 == 0).astype("int32"), n=3000)
    cfg.models.max_training_rows = 2000          # ltv / churn hold 3,000 rows, ranker 9,000

    models = train_job.run(JobContext(cfg, DS, job="train"))["models"]

    ltv, ranker = models["ltv"]["sample"], models["ranker"]["sample"]
    assert ltv["rows_total"] == 3000 and ltv["share"] == round(2000 / 3000, 6)
    assert abs(ltv["rows_kept"] - 2000) < 200
    assert ranker["rows_total"] == 9000 and ranker["rows_kept"] % 3 == 0   # whole persons
    assert abs(ranker["rows_kept"] - 2000) < 300
    params = MlflowClient(cfg.mlflow_tracking_uri).get_run(models["ltv"]["run_id"]).data.params
    assert params["sample_share"] == str(ltv["share"])
    assert params["sample_rows_kept"] == str(ltv["rows_kept"])
    assert int(params["n_train_rows"]) + int(params["n_test_rows"]) == ltv["rows_kept"]

"""Before any model beats its baseline, scoring uses that baseline (fitted on the training
set's train split) and names it in provenance, instead of failing or using an unvetted model."""
import pandas as pd
import pytest

from tailor.models.registry import NoChampionError
from tailor.models.serving_model import serving_model


def test_churn_without_champion_scores_with_rfm_baseline(spark, cfg, lakehouse, as_table):
    train = pd.DataFrame({"person_id": [f"p{i}" for i in range(8)], "cutoff": "2026-09-01",
                          "split": ["train"] * 6 + ["test"] * 2,
                          "recency_days": [1.0, 2.0, 3.0, 40.0, 50.0, 60.0, 5.0, 45.0],
                          "frequency": [5.0, 4.0, 6.0, 1.0, 2.0, 1.0, 3.0, 1.0],
                          "label": [0, 0, 0, 1, 1, 1, 0, 1]})
    lakehouse.write(as_table(spark.createDataFrame(train), "training.churn"), "training.churn",
                    mode="overwrite")
    model = serving_model("churn", cfg, lakehouse)
    assert model.version == "baseline:rfm_logistic" and model.model is None
    scores = model.predict(pd.DataFrame({"recency_days": [2.0, 55.0], "frequency": [4.0, 1.0]}))
    assert scores[0] < scores[1]


def test_no_champion_and_no_train_rows_is_a_clear_error(spark, cfg, lakehouse, as_table):
    only_test = pd.DataFrame({"person_id": ["p1"], "cutoff": "2026-09-01", "split": ["test"],
                              "recency_days": [3.0], "label": [0]})
    lakehouse.write(as_table(spark.createDataFrame(only_test), "training.churn"), "training.churn",
                    mode="overwrite")
    with pytest.raises(NoChampionError, match="run training_sets and train"):
        serving_model("churn", cfg, lakehouse)

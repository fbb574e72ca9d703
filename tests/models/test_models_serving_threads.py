"""A serving model for a Spark task (``with_threads``): the champion's XGBoost predicts on the
task's threads in a copy, with the same scores; a baseline has no threads and is itself."""
import numpy as np
import pandas as pd
import xgboost as xgb

from tailor.models.serving_model import ServingModel


def test_with_threads_copies_the_champion_and_scores_the_same():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=400), "b": rng.uniform(size=400)})
    model = xgb.XGBRegressor(n_estimators=15, n_jobs=2).fit(frame, frame["a"] * 3 + frame["b"])
    served = ServingModel("ltv", "7", model=model)
    task = served.with_threads(1)
    assert task.model.get_params()["n_jobs"] == 1 and model.get_params()["n_jobs"] == 2
    assert task.version == "7"
    assert np.array_equal(served.predict(frame.assign(extra=1)), task.predict(frame))


def test_a_baseline_is_itself():
    baseline = ServingModel("churn", "baseline:rfm", baseline=lambda f: np.zeros(len(f)))
    assert baseline.with_threads(1) is baseline

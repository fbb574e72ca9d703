"""Churn: probability of no purchase in the next ``label_horizon_days`` (binary, judged by AUC)."""
from __future__ import annotations

import xgboost as xgb

from models.baselines import churn_baseline
from models.metrics import binary_metrics
from models.plots import roc_plot
from models.spec import ModelSpec, score_probability

SPEC = ModelSpec(
    name="churn",
    task="binary",
    estimator=xgb.XGBClassifier,
    params={"objective": "binary:logistic"},
    metrics=lambda cfg: binary_metrics(),
    baseline=churn_baseline,
    plot=roc_plot,
    score=score_probability,
)

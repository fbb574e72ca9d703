"""LTV: a person's spend in the next ``label_horizon_days`` (regression, judged by RMSE)."""
from __future__ import annotations

import xgboost as xgb

from models.baselines import ltv_baseline
from models.metrics import regression_metrics
from models.plots import calibration_plot
from models.spec import ModelSpec, score_nonnegative

SPEC = ModelSpec(
    name="ltv",
    task="regression",
    estimator=xgb.XGBRegressor,
    params={"objective": "reg:squarederror"},  # the gate metric is RMSE, so fit squared error
    metrics=lambda cfg: regression_metrics(),
    baseline=ltv_baseline,
    plot=calibration_plot,
    score=score_nonnegative,
)

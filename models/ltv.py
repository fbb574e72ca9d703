"""LTV: a person's spend over the model's horizon (``models.horizon('ltv')``; regression, judged
by RMSE, and never significantly worse than its reference on MAE or on the error of the total).
Its baseline is BG/NBD × Gamma-Gamma over the same horizon (``baselines.ltv_baseline``); the
``features.clv`` group gives the model the same expectations as inputs."""
from __future__ import annotations

from tailor.models.baselines import ltv_baseline
from tailor.models.metrics import regression_metrics
from tailor.models.plots import calibration_plot
from tailor.models.spec import ModelSpec, score_nonnegative

SPEC = ModelSpec(
    name="ltv",
    task="regression",
    estimator="XGBRegressor",
    params={"objective": "reg:squarederror"},  # the gate metric is RMSE, so fit squared error
    metrics=lambda cfg: regression_metrics(),
    baseline=ltv_baseline,
    plot=calibration_plot,
    score=score_nonnegative,
    label="CAST(future_spend AS DOUBLE)",
    guards=("mae", "total_error"),
)

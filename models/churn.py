"""Churn: probability of no purchase in the next ``label_horizon_days`` (binary).

The gate judges AUC against an RFM-logistic baseline (models/baselines.py) and refuses a model
whose Brier score is significantly worse than the baseline's or the champion's (the probabilities
are used as probabilities downstream, so a better ranking with worse calibration is no win); the
run also reports log loss and PR-AUC, with a reliability diagram."""
from __future__ import annotations

from tailor.models.baselines import churn_baseline
from tailor.models.metrics import binary_metrics
from tailor.models.plots import roc_plot
from tailor.models.spec import ModelSpec, score_probability

SPEC = ModelSpec(
    name="churn",
    task="binary",
    estimator="XGBClassifier",
    params={"objective": "binary:logistic"},
    metrics=lambda cfg: binary_metrics(),
    baseline=churn_baseline,
    plot=roc_plot,
    score=score_probability,
    label="CAST(future_purchases = 0 AS INT)",
    label_type="int",
    population="frequency > 0",
    guards=("brier",),   # churn means something only for persons who bought before
)

"""LTV, churn and ranking models: training, evaluation against baselines, MLflow registration.

Entry points: ``train_and_register`` (the training job), ``load_champion`` + ``predict`` (the
scoring job). Each model is a small ``ModelSpec`` in ``models/<name>.py``; the flow is shared.
"""
from tailor.models.catalog import SPECS, feature_columns, get_spec, predict
from tailor.models.registry import NoChampionError, load_champion, registered_name
from tailor.models.spec import ModelSpec
from tailor.models.training import TrainResult, train_and_register

MODEL_NAMES = tuple(SPECS)

__all__ = ["MODEL_NAMES", "ModelSpec", "NoChampionError", "SPECS", "TrainResult", "feature_columns",
           "get_spec", "load_champion", "predict", "registered_name", "train_and_register"]

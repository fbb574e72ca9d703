"""LTV, churn and ranking models: training, evaluation against baselines, MLflow registration.

Entry points: ``train_and_register`` (the training job), ``load_champion`` + ``predict`` (the
scoring job). Each model is a small ``ModelSpec`` in ``models/<name>.py``; the flow is shared.
"""
from importlib import import_module
from typing import Any

# name → module that defines it; imported on first use (PEP 562), so a job that only reads the
# specs (training_sets, the data contracts) does not pay for MLflow and the training code
_EXPORTS = {"SPECS": "catalog", "feature_columns": "catalog", "get_spec": "catalog",
            "predict": "catalog", "NoChampionError": "registry", "load_champion": "registry",
            "registered_name": "registry", "ModelSpec": "spec", "TrainResult": "training",
            "train_and_register": "training"}

__all__ = ["MODEL_NAMES", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name == "MODEL_NAMES":
        return tuple(import_module(f"{__name__}.catalog").SPECS)
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

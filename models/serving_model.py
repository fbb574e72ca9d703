"""What the scoring job scores with: the champion, or, before any model has passed the gate,
the baseline that gate compared against (fitted on the latest training set's train split).

A brand-new dataset must not block decisions just because no model beat its baseline yet, and
it must not silently use an unvetted model either: the baseline is what the gate says is the
best known rule, and its version reads ``baseline:<rule>`` in every provenance column, so an
analyst sees at once that no learned model is serving.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from tailor.catalog import table as declared
from tailor.lakehouse import TableNotFoundError
from tailor.models.baselines import Predictor, rule_of
from tailor.models.catalog import get_spec, predict, with_threads
from tailor.models.lifetime import LifetimeExtension, fit_lifetime
from tailor.models.registry import NoChampionError, load_champion
from tailor.models.training_data import hold

log = logging.getLogger(__name__)


@dataclass
class ServingModel:
    """A picklable scorer: ``predict(frame)`` -> one score per row (shipped to executors)."""

    name: str
    version: str
    model: Any = None                      # the champion (XGBoost), or
    baseline: Predictor | None = None      # the baseline, fitted once on the train split

    def with_threads(self, threads: int) -> ServingModel:
        """This model predicting on ``threads`` OpenMP threads (a copy; a baseline has no
        threads). Inside a Spark task, the task's cores (``spark.task.cpus``): two tasks whose
        XGBoost each takes both cores of a two-core machine contend."""
        return self if self.model is None else replace(self, model=with_threads(self.model, threads))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        if self.model is not None:
            return predict(self.name, self.model, frame)
        return np.asarray(self.baseline(frame), float)


def _train_rows(name: str, lh) -> pd.DataFrame:
    """The train split of ``training.<name>``, held in this process: at most
    ``models.max_training_rows`` rows of the table (a stable person sample above it, as the
    train job holds it: ``models/training_data.py``)."""
    table = f"training.{name}"
    train, _ = hold(lh.dataset(table), lh.cfg.models.max_training_rows,
                    keys=declared(table).keys)
    return train[train["split"] == "train"] if "split" in train.columns else train


def lifetime_extension(cfg, lh) -> LifetimeExtension:
    """What carries LTV scores from the label horizon to ``models.ltv_lifetime_days``, fitted
    on the LTV training set's train rows (models/lifetime.py)."""
    horizon, lifetime = cfg.models.horizon("ltv"), cfg.models.ltv_lifetime_days
    try:
        train = _train_rows("ltv", lh) if lifetime > horizon else pd.DataFrame()
    except TableNotFoundError:   # a champion can serve without its training set: still carry
        log.warning("LTV lifetime: no training.ltv to fit BG/NBD on (run training_sets)")
        train = pd.DataFrame()
    return fit_lifetime(train, horizon, lifetime)


def baseline_rule(name: str) -> str:
    """The short name shown in provenance for ``name``'s baseline (e.g. ``recency``)."""
    return get_spec(name).baseline.rule


def serving_model(name: str, cfg, lh) -> ServingModel:
    """The champion of ``name``; without one, its gate baseline fitted on training.<name>."""
    try:
        model, version, _ = load_champion(name, cfg)
        return ServingModel(name, str(version), model=model)
    except NoChampionError:
        pass
    train = _train_rows(name, lh)
    if train.empty:
        raise NoChampionError(f"no champion for {name} and training.{name} has no train rows to "
                              f"fit its baseline: run training_sets and train first")
    # fitted here, once: the executors get the fitted rule (a scale, an isotonic map), not the
    # training set, and every batch scores with the same rule
    fitted = get_spec(name).baseline.fit(train, cfg.models.horizon(name))
    version = f"baseline:{rule_of(fitted, baseline_rule(name))}"
    log.warning("%s: no champion yet (no model beat its baseline): scoring with %s", name, version)
    return ServingModel(name, version, baseline=fitted)

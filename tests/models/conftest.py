"""Synthetic training frames with a known, learnable signal, and a config on a throw-away MLflow store.

Each generator plants a signal the baseline cannot see (LTV: recency gates spend; churn: frequency
matters beside recency; ranker: personal category preference beats popularity), so "the model beats
its baseline" is a real claim, and shuffling the labels destroys it.
"""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

from tailor.config import Config, load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
CUTOFF = "2026-10-01"


def _persons(rng: np.random.Generator, n: int, test_share: float = 0.3) -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": [f"p{i:05d}" for i in range(n)],
        "cutoff": CUTOFF,
        "split": np.where(rng.random(n) < test_share, "test", "train"),
    })


def _maybe_shuffle(frame: pd.DataFrame, shuffle: bool, rng: np.random.Generator) -> pd.DataFrame:
    if shuffle:
        frame["label"] = rng.permutation(frame["label"].to_numpy())
    return frame


def ltv_frame(n: int = 800, seed: int = 1, shuffle_labels: bool = False) -> pd.DataFrame:
    """Spend in the horizon ~ historical spend, but only for recently active persons."""
    rng = np.random.default_rng(seed)
    frame = _persons(rng, n)
    frame["spend_90d"] = rng.gamma(2.0, 50.0, n)
    frame["frequency"] = rng.poisson(3, n).astype(float)
    frame["recency_days"] = rng.uniform(0, 120, n)
    frame["tenure_days"] = rng.uniform(30, 700, n)
    active = frame["recency_days"] < 45
    frame["label"] = np.clip(14 / 90 * frame["spend_90d"] * np.where(active, 1.6, 0.05)
                             + rng.normal(0, 2, n), 0, None)
    return _maybe_shuffle(frame, shuffle_labels, rng)


def churn_frame(n: int = 800, seed: int = 2, shuffle_labels: bool = False) -> pd.DataFrame:
    """Churn driven by recency and frequency (what the RFM baseline sees) and, more strongly, by
    recent sessions (behaviour only the model sees)."""
    rng = np.random.default_rng(seed)
    frame = _persons(rng, n)
    frame["recency_days"] = rng.uniform(0, 120, n)
    frame["frequency"] = rng.poisson(3, n).astype(float)
    frame["sessions_7d"] = rng.poisson(2, n).astype(float)
    logit = (-0.5 + 0.02 * (frame["recency_days"] - 60) - 0.5 * (frame["frequency"] - 3)
             - 1.5 * (frame["sessions_7d"] - 2))
    frame["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return _maybe_shuffle(frame, shuffle_labels, rng)


def ranker_frame(persons: int = 240, items: int = 20, seed: int = 3) -> pd.DataFrame:
    """Each person prefers one of 5 categories; popularity only mildly matters."""
    rng = np.random.default_rng(seed)
    people = _persons(rng, persons)
    item_category = rng.integers(0, 5, items)
    popularity = rng.gamma(2.0, 10.0, items)
    favourite = rng.integers(0, 5, persons)
    rows = people.loc[people.index.repeat(items)].reset_index(drop=True)
    rows["item_id"] = np.tile([f"i{j:03d}" for j in range(items)], persons)
    match = (np.tile(item_category, persons) == np.repeat(favourite, items)).astype(float)
    rows["popularity"] = np.tile(popularity, persons)
    rows["category_affinity"] = 0.6 * match + rng.uniform(0, 0.4, len(rows))  # noisy history share
    rows["item_popularity"] = rows["popularity"]
    pop_z = (rows["popularity"] - popularity.mean()) / popularity.std()
    logit = -3.0 + 3.0 * match + 0.4 * pop_z
    rows["label"] = (rng.random(len(rows)) < 1 / (1 + np.exp(-logit))).astype(int)
    return rows


LTV_FEATURES = ["spend_90d", "frequency", "recency_days", "tenure_days"]
CHURN_FEATURES = ["recency_days", "frequency", "sessions_7d"]
RANKER_FEATURES = ["category_affinity", "item_popularity"]
DATA_VERSIONS = {"training.ltv": 3, "features.profile_v1": 12}


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real sqlite MLflow store for the session: creating its schema costs ~2 s, so tests share
    it and stay isolated through their own ``registry_prefix`` (own registered models)."""
    return tmp_path_factory.mktemp("mlflow")


@pytest.fixture
def make_cfg(mlflow_store: Path, request: pytest.FixtureRequest,
             tmp_path: Path) -> Callable[..., Config]:
    """Config on the session's MLflow store with a registry prefix unique to the test and its own
    lakehouse / runs / serving dirs (never the repo's); keyword args override ``models``."""
    prefix = "t_" + re.sub(r"\W", "_", request.node.name)

    def build(**models: Any) -> Config:
        return load_config(root=REPO_ROOT, overrides={
            "paths": {"mlflow_tracking_uri": f"sqlite:///{mlflow_store}/mlflow.db",
                      "mlflow_artifacts": str(mlflow_store / "artifacts"),
                      **{k: str(tmp_path / k) for k in ("lakehouse", "landing", "serving", "runs")}},
            "models": {"registry_prefix": prefix, **models},
        })
    return build


@pytest.fixture
def cfg(make_cfg: Callable[..., Config]) -> Config:
    return make_cfg()


@pytest.fixture
def synth() -> SimpleNamespace:
    """The generators and feature lists, as a fixture: test files never import conftest by name
    (another test folder's conftest.py could shadow it)."""
    return SimpleNamespace(ltv=ltv_frame, churn=churn_frame, ranker=ranker_frame,
                           ltv_features=LTV_FEATURES, churn_features=CHURN_FEATURES,
                           ranker_features=RANKER_FEATURES, data_versions=DATA_VERSIONS)

"""Shared rules of the training-set contracts (``training.ltv``, ``.churn``, ``.ranker``).

Which partitions: training sets are partitioned by ``cutoff``; the run for ``ds`` writes
several cutoffs (the latest at or before ``ds - models.label_horizon_days``, on the calendar
grid of ``models.cutoff_anchor``, then one every ``models.cutoff_step_days`` further back,
``models.training_cutoffs`` in all). :func:`cutoffs_for` asks the job itself
(``features.labels.cutoffs_for``, which the jobs use), so the contract checks
exactly the partitions that run wrote, all at once (the one-split-per-person rule then also
holds across cutoffs: splits are a stable hash of the person).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

    from tailor.config import Config

PARTITION_COLUMN = "cutoff"
SPLITS = ["train", "test"]
ONE_SPLIT = "_person_in_one_split"


def cutoffs_for(ds: str, cfg: "Config | None", model: str | None = None) -> list[str]:
    """The cutoff partitions the training_sets run for ``ds`` writes for ``model`` (the job's
    own function: each model's horizon sets its cutoffs)."""
    from tailor.features.labels import cutoffs_for as job_cutoffs

    if cfg is None:
        from tailor.config import get_config

        cfg = get_config()
    return list(job_cutoffs(ds, cfg, model))


def partitions_of(model: str):
    """The ``partitions(ds, cfg)`` of ``training.<model>``'s contract."""
    def partitions(ds: str, cfg: "Config | None" = None) -> dict[str, Any]:
        return {PARTITION_COLUMN: cutoffs_for(ds, cfg, model)}
    return partitions


def prepare(df: "pd.DataFrame") -> "pd.DataFrame":
    """Adds ``_person_in_one_split``: False on every row of a person found in both splits.

    Splits are a stable hash of the person, so this holds across every cutoff read at once.
    """
    out = df.copy()
    if {"person_id", "split"} <= set(df.columns):
        n_splits = df.groupby("person_id", dropna=False)["split"].transform("nunique")
        out[ONE_SPLIT] = (n_splits <= 1).to_numpy()
    return out


def build(table: str, doc: str, keys: list[str], label_rules: Iterable[Any],
          frame: "pd.DataFrame | None", nullable: Iterable[str] = (),
          declared: dict | None = None) -> "gx.ExpectationSuite":
    """The common suite: keys, cutoff, split, label, one split per person, numeric features."""
    from tailor.expectations._rules import (
        all_true,
        date_string,
        has_columns,
        in_set,
        make_suite,
        non_empty,
        not_null,
        numeric_rules,
        strings,
        unique,
    )
    from tailor.features.registry import declared_bounds

    declared = {**declared_bounds(), **(declared or {})}  # the feature groups' own bounds first
    required = [*keys, PARTITION_COLUMN, "split", "label"]
    features = [] if frame is None else numeric_rules(
        frame, exclude=[*keys, PARTITION_COLUMN, "label"], nullable=nullable, declared=declared,
        what="feature")
    return make_suite(
        table, doc,
        non_empty("the cutoff partition(s) hold examples"),
        has_columns(required, description="keys, cutoff, split and label exist"),
        not_null(required),
        strings(*keys, PARTITION_COLUMN, "split"),
        unique([*keys, PARTITION_COLUMN], f"one example per ({', '.join(keys)}) per cutoff"),
        date_string(PARTITION_COLUMN),
        in_set("split", SPLITS, "split is train or test"),
        all_true(ONE_SPLIT, "no leakage: a person is never in both train and test"),
        list(label_rules),
        features)

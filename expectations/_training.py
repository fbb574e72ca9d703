"""Shared rules of the training-set contracts (``training.ltv``, ``.churn``, ``.ranker``).

Which partitions: training sets are partitioned by ``cutoff``; the run for ``ds`` writes
several cutoffs (``ds - models.label_horizon_days``, then one every ``models.cutoff_step_days``
further back, ``models.training_cutoffs`` in all). :func:`cutoffs_for` asks the job itself
(``features.labels.cutoffs_for``, which the jobs use), so the contract checks
exactly the partitions that run wrote, all at once (the one-split-per-person rule then also
holds across cutoffs: splits are a stable hash of the person).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from expectations import DATE_REGEX, STRING

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

    from tailor.config import Config

PARTITION_COLUMN = "cutoff"
SPLITS = ["train", "test"]
ONE_SPLIT = "_person_in_one_split"


def cutoffs_for(ds: str, cfg: "Config | None") -> list[str]:
    """The cutoff partitions the training_sets run for ``ds`` writes (the job's own function)."""
    from features.labels import cutoffs_for as job_cutoffs

    if cfg is None:
        from tailor.config import get_config

        cfg = get_config()
    return list(job_cutoffs(ds, cfg))


def partitions(ds: str, cfg: "Config | None" = None) -> dict[str, Any]:
    return {PARTITION_COLUMN: cutoffs_for(ds, cfg)}


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
    import great_expectations as gx
    from great_expectations import expectations as gxe

    from expectations._rules import numeric_rules

    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableRowCountToBeBetween(min_value=1,
                                           description="the cutoff partition(s) hold examples"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=[*keys, PARTITION_COLUMN, "split", "label"], exact_match=False,
        description="keys, cutoff, split and label exist"))
    for col in [*keys, PARTITION_COLUMN, "split", "label"]:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"{col} is always set"))
    for col in [*keys, PARTITION_COLUMN, "split"]:
        add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=STRING,
                                             description=f"{col} is a string"))
    add(gxe.ExpectCompoundColumnsToBeUnique(
        column_list=[*keys, PARTITION_COLUMN],
        description=f"one example per ({', '.join(keys)}) per cutoff"))
    add(gxe.ExpectColumnValuesToMatchRegex(column=PARTITION_COLUMN, regex=DATE_REGEX,
                                           description="cutoff looks like YYYY-MM-DD"))
    add(gxe.ExpectColumnValuesToBeInSet(column="split", value_set=SPLITS,
                                        description="split is train or test"))
    add(gxe.ExpectColumnValuesToBeInSet(
        column=ONE_SPLIT, value_set=[True],
        description="no leakage: a person is never in both train and test"))
    expectations += list(label_rules)
    if frame is not None:
        expectations += numeric_rules(frame, exclude=[*keys, PARTITION_COLUMN, "label"],
                                      nullable=nullable, declared=declared, what="feature")
    return gx.ExpectationSuite(name=table, expectations=expectations,
                               meta={"contract": doc.strip()})

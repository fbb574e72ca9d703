"""Hand-made training.{ltv,churn,ranker} tables for the train job's tests (no Spark): a few
numeric features per person at the first cutoff of ``DS``, a quarter of the persons in test."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from deltalake import write_deltalake

from tailor.features.labels import cutoffs_for
from tailor.lakehouse.tables import table_uri

DS = "2026-10-15"


def write(cfg, name: str, frame: pd.DataFrame) -> None:
    write_deltalake(table_uri(cfg.lakehouse_root, f"training.{name}"),
                    pa.Table.from_pandas(frame, preserve_index=False), partition_by=["cutoff"])


def persons(cfg, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    cutoff = cutoffs_for(DS, cfg)[0]
    return pd.DataFrame({"person_id": [f"p{i:05d}" for i in range(n)], "cutoff": cutoff,
                         "split": np.where(np.arange(n) % 4 == 0, "test", "train"),
                         "recency_days": rng.uniform(0, 60, n), "frequency": rng.poisson(2, n) * 1.0,
                         "views_30d": rng.poisson(5, n) * 1.0})


def write_tables(cfg, churn_label, n: int = 200) -> None:
    """training.ltv (label: 2 x views), training.churn (``churn_label(persons)``) and
    training.ranker (3 items per person, the third one positive)."""
    people = persons(cfg, n)
    write(cfg, "ltv", people.assign(label=people["views_30d"] * 2.0))
    write(cfg, "churn", people.assign(label=churn_label(people)))
    ranker = people.loc[people.index.repeat(3)].reset_index(drop=True)
    ranker["item_id"] = [f"i{k % 3}" for k in range(len(ranker))]
    ranker["popularity"] = (ranker.index % 3).astype(float)
    ranker["label"] = (ranker.index % 3 == 2).astype(float)
    write(cfg, "ranker", ranker.drop(columns=["views_30d"]))

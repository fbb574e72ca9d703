"""A training set as the train jobs hold it (``train``, and ``train_policy`` for
``training.policy``): one pandas frame on one process, bounded.

XGBoost trains in the train job's process, so the training set is held there in full. Above
``models.max_training_rows`` rows (for the cutoffs asked), a stable sample of *persons* is held
instead — every row of a sampled person (all their cutoffs, all their candidate items), none of
the others — so the split by person, the ranking lists and the gate's bootstrap over persons keep
their meaning. The table is streamed batch by batch from its Delta snapshot and filtered as it
comes: the process never holds more than one batch beyond the sample. Which persons are kept
depends on their id and the salt only (``tailor.sampling``), so a rerun on the same data
trains on the same rows. The MLflow run records the share (``sample_*`` params).

A table its builder already cut to a person sample (``tailor.sampling.BuildSample``, said in
its commit: ``training_sets`` and ``policy_outcomes`` above the same bound) is held whole; the
share of all persons is then the builder's (``sample_build_share``) times this one's.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Sequence

import pandas as pd
import pyarrow.dataset as pads

from tailor.sampling import BuildSample, held_rows

SALT = "training-sample"


@dataclass(frozen=True)
class Sample:
    """What was held of a training set: all of it (share 1.0) or a person sample."""

    rows_total: int
    rows_kept: int
    share: float                 # of all persons kept (1.0: everyone)
    max_rows: int | None
    build_share: float = 1.0     # of them, the share the table's builder kept

    def params(self) -> dict[str, Any]:
        return {f"sample_{k}": v for k, v in asdict(self).items()}


def hold(dataset: pads.Dataset, max_rows: int | None, salt: str = SALT,
         keys: Sequence[str] = (), build_share: float = 1.0) -> tuple[pd.DataFrame, Sample]:
    """The rows of ``dataset`` (a snapshot: ``Lakehouse.dataset``) as pandas — or, above
    ``max_rows`` rows, every row of a stable sample of persons (streamed; see the module).
    ``salt`` names the use (the policy's sample is not the models' one). ``keys`` (the table's
    declared keys) puts the rows in their order: XGBoost's row subsampling and the ranker's
    candidate lists follow the row order, and the order Spark writes rows in is not fixed (on
    a cluster it follows which shuffle blocks arrive first), so without it the same rows can
    train another model. ``build_share``: the share of persons the dataset's builder kept
    (``BuildSample.of_commit``)."""
    data, total, share = held_rows(dataset, max_rows, salt)
    if keys:
        data = data.sort_by([(k, "ascending") for k in keys])
    frame = data.to_pandas()
    return frame, Sample(total, len(frame), round(share * build_share, 6), max_rows,
                         round(build_share, 6))


def built_share(lakehouse, table: str, version: int | None) -> float:
    """The share of persons the commit of ``table`` at ``version`` holds (1.0: everyone)."""
    built = BuildSample.of_commit(lakehouse, table, version)
    return 1.0 if built is None else built.share

"""Contract of ``training.churn``: one example per buyer per cutoff, label = no purchase after.

Checked on the cutoff partition(s) the run for ``ds`` writes (``expectations._training``).

- The partitions are not empty; person_id, cutoff, split, label exist and are never null.
- ``(person_id, cutoff)`` is unique; ``cutoff`` is 'YYYY-MM-DD'.
- ``split`` is ``train`` or ``test``, and **no person is in both** (``_person_in_one_split``).
- ``label`` is 0 or 1 (1 = churned: no purchase within the horizon).
- Every example is a past buyer: ``frequency`` >= 1 when the column exists.
- Every numeric feature is never null / NaN, finite, and within its conventional bounds.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.expectations._training import PARTITION_COLUMN, build, partitions_of, prepare  # noqa: F401

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

TABLE = "training.churn"
partitions = partitions_of("churn")   # the cutoffs the run for ds wrote for churn
ID_COLUMN = "person_id"


def build_suite(frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
    """The ``training.churn`` suite; with ``frame``, plus rules for each numeric feature."""
    from great_expectations import expectations as gxe

    label = [gxe.ExpectColumnValuesToBeInSet(column="label", value_set=[0, 1],
                                             description="label is 0 or 1 (1 = churned)")]
    if frame is not None and "frequency" in frame.columns:
        label.append(gxe.ExpectColumnValuesToBeBetween(
            column="frequency", min_value=1, description="churn examples are past buyers"))
    return build(TABLE, __doc__, ["person_id"], label, frame)

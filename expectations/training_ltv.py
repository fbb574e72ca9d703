"""Contract of ``training.ltv``: one example per person per cutoff, label = spend after it.

Checked on every cutoff partition the run for ``ds`` writes, at once
(``features.labels.cutoffs_for``: at or before ds - label horizon, then every cutoff_step_days
back).

- The partitions are not empty; person_id, cutoff, split, label exist and are never null.
- ``(person_id, cutoff)`` is unique; ``cutoff`` is 'YYYY-MM-DD'.
- ``split`` is ``train`` or ``test``, and **no person is in both** (helper column
  ``_person_in_one_split`` from :func:`prepare`; splits are a stable hash of the person, so
  this holds across cutoffs too).
- ``label`` (future spend over the horizon) is a finite double >= 0.
- Every numeric feature is never null / NaN, finite, and within its conventional bounds
  (``expectations._rules``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.expectations import FLOAT_TYPES
from tailor.expectations._training import PARTITION_COLUMN, build, partitions_of, prepare  # noqa: F401

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

TABLE = "training.ltv"
partitions = partitions_of("ltv")   # the cutoffs the run for ds wrote for ltv
ID_COLUMN = "person_id"


def build_suite(frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
    """The ``training.ltv`` suite; with ``frame``, plus rules for each numeric feature."""
    from great_expectations import expectations as gxe

    from tailor.expectations._rules import MAX_FLOAT

    label = [gxe.ExpectColumnValuesToBeInTypeList(column="label", type_list=FLOAT_TYPES,
                                                  description="label is a double"),
             gxe.ExpectColumnValuesToBeBetween(column="label", min_value=0, max_value=MAX_FLOAT,
                                               description="label (future spend) is finite, >= 0")]
    return build(TABLE, __doc__, ["person_id"], label, frame)

"""Contract of ``training.ranker``: (person, candidate item) examples per cutoff.

Checked on the cutoff partition(s) the run for ``ds`` writes (``expectations._training``).

- The partition is not empty; person_id, item_id, cutoff, split, label exist, never null.
- ``(person_id, item_id, cutoff)`` is unique (a candidate appears once per person).
- ``split`` is ``train`` or ``test``, and **no person is in both** (``_person_in_one_split``).
- ``label`` is 0 or 1 (1 = the person interacted with the item within the horizon).
- Every numeric feature is never null / NaN, finite, and within its conventional bounds,
  except the declared-nullable :data:`NULLABLE` (item price unknown: reported as a warning).
  ``category_match`` is 0 or 1 and never null: data without categories gives 0 ("no match
  known", ``features.candidates.FILLS``), so a null there is a breakage, not missing data.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tailor.expectations._training import PARTITION_COLUMN, build, partitions_of, prepare  # noqa: F401

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

TABLE = "training.ranker"
partitions = partitions_of("ranker")   # the cutoffs the run for ds wrote for ranker
ID_COLUMN = "person_id"
# Missing when the item's latest event carried no price (see features.item_stats): XGBoost
# treats missing values natively, so this is reported, not a breach.
NULLABLE = {"price", "price_ratio"}
BOUNDS = {"category_match": (0.0, 1.0)}   # an indicator (see features.candidates)


def build_suite(frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
    """The ``training.ranker`` suite; with ``frame``, plus rules for each numeric feature."""
    from great_expectations import expectations as gxe

    label = [gxe.ExpectColumnValuesToBeInSet(column="label", value_set=[0, 1],
                                             description="label is 0 or 1 (interacted)")]
    return build(TABLE, __doc__, ["person_id", "item_id"], label, frame, nullable=NULLABLE,
                 declared=BOUNDS)

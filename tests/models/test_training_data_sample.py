"""Above models.max_training_rows the train job holds a stable sample of persons — all of a
kept person's rows, none of the others' — and says how much it kept; below it, everything."""
import pyarrow as pa
import pyarrow.dataset as pads

from tailor.models.training_data import SALT, hold
from tailor.privacy import stable_share


def _dataset(persons: int, rows_each: int) -> pads.Dataset:
    ids = [f"p{i:04d}" for i in range(persons) for _ in range(rows_each)]
    table = pa.table({"person_id": ids, "cutoff": ["2026-10-01"] * len(ids),
                      "x": list(range(len(ids)))})
    return pads.dataset(table.to_batches(max_chunksize=97))   # several batches


def test_below_the_cap_everything_is_held():
    frame, sample = hold(_dataset(10, 3), max_rows=30)
    assert len(frame) == 30 and sample.share == 1.0 and sample.rows_kept == 30
    frame, sample = hold(_dataset(10, 3), max_rows=None)
    assert len(frame) == 30 and sample.params()["sample_share"] == 1.0


def test_above_the_cap_whole_persons_by_their_stable_share():
    frame, sample = hold(_dataset(2000, 5), max_rows=2500)
    assert sample.rows_total == 10000 and sample.share == 0.25
    expected = {f"p{i:04d}" for i in range(2000) if stable_share(f"p{i:04d}", SALT) < 0.25}
    assert set(frame["person_id"]) == expected                      # hand-computed membership
    assert (frame.groupby("person_id").size() == 5).all()           # never part of a person
    assert abs(len(frame) - 2500) < 0.1 * 2500 and sample.rows_kept == len(frame)
    again, _ = hold(_dataset(2000, 5), max_rows=2500)
    assert again["x"].tolist() == frame["x"].tolist()               # a rerun holds the same rows



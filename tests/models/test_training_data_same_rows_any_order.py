"""The rows a train job holds come in their keys' order, whatever order the table stores them
in (Spark's write order is not fixed on a cluster): the same rows make the same frame, so the
same model."""
import pyarrow as pa
import pyarrow.dataset as pads

from models.training_data import hold

ROWS = {"person_id": ["p2", "p1", "p1", "p3", "p2"], "cutoff": ["c1", "c2", "c1", "c1", "c2"],
        "item_id": ["i1", "i1", "i2", "i1", "i1"], "label": [0.0, 1.0, 2.0, 3.0, 4.0]}
KEYS = ("person_id", "item_id", "cutoff")


def test_the_same_rows_in_another_order_make_the_same_frame():
    table = pa.table(ROWS)
    shuffled = table.take([3, 0, 4, 2, 1])
    a, _ = hold(pads.dataset(table), None, keys=KEYS)
    b, _ = hold(pads.dataset(shuffled), None, keys=KEYS)
    assert a.equals(b)
    assert list(zip(a["person_id"], a["item_id"], a["cutoff"])) == sorted(
        zip(ROWS["person_id"], ROWS["item_id"], ROWS["cutoff"]))


def test_without_keys_the_stored_order_is_kept():
    shuffled = pa.table(ROWS).take([3, 0, 4, 2, 1])
    frame, _ = hold(pads.dataset(shuffled), None)
    assert list(frame["label"]) == [3.0, 0.0, 4.0, 2.0, 1.0]

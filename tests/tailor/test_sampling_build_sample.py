"""A build sample is sized from an upper bound of the rows so its reader holds all of it, keeps
everyone below the bound, travels in the table's commit, and the reader multiplies its own share
by it when it reports what it trained on."""
import pyarrow as pa
import pyarrow.dataset as pads

from tailor.models.training_data import hold
from tailor.sampling import HEADROOM, SAMPLE_KEY, BuildSample


def test_share_fits_the_readers_bound_with_headroom():
    assert BuildSample.for_rows(900, 1000, "s").share == 1.0
    assert BuildSample.for_rows(995, 1000, "s").everyone        # within the headroom: all of it
    assert BuildSample.for_rows(900, None, "s").everyone
    cut = BuildSample.for_rows(40_000, 2000, "s")
    assert cut.share == round(int(2000 * HEADROOM) / 40_000, 6) and not cut.everyone


def test_metadata_round_trips():
    sample = BuildSample.for_rows(40_000, 2000, "s")

    class Commits:       # the one Lakehouse method of_commit reads
        def commit_metadata(self, table, key, version):
            return sample.metadata()[key] if version == 3 else None

    assert set(sample.metadata()) == {SAMPLE_KEY}
    assert BuildSample.of_commit(Commits(), "training.x", 3) == sample
    assert BuildSample.of_commit(Commits(), "training.x", 2) is None


def test_hold_reports_the_share_of_all_persons():
    data = pads.dataset(pa.table({"person_id": [f"p{i}" for i in range(100)], "x": range(100)}))
    frame, sample = hold(data, None, build_share=0.25)
    assert len(frame) == 100 and sample.build_share == 0.25 and sample.share == 0.25
    assert sample.params()["sample_build_share"] == 0.25

"""A training set with several cutoffs holds one candidate list per person *and cutoff*: the
ranker is fitted and judged per list, so a person's rows at different cutoffs are never ranked
against each other."""
import pandas as pd

from tailor.models.spec import query_ids


def test_one_query_per_person_and_cutoff():
    frame = pd.DataFrame({"person_id": ["p1", "p1", "p1", "p2"],
                          "cutoff": ["2026-09-01", "2026-09-01", "2026-09-08", "2026-09-01"],
                          "item_id": ["a", "b", "a", "a"]})
    ids = query_ids(frame)
    assert ids.nunique() == 3
    assert ids[0] == ids[1] != ids[2]
    assert query_ids(frame.drop(columns="cutoff")).tolist() == ["p1", "p1", "p1", "p2"]

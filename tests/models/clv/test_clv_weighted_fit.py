"""Fitting on distinct summary rows with a ``weight`` (a Spark ``groupBy(...).count()``) gives
the same model as fitting on every customer's row."""
import pytest

from tailor.models.clv import ClvModel


def test_counts_equal_repeated_rows(paper_summary):
    columns = ["frequency", "recency", "T", "monetary_value"]
    counted = (paper_summary.groupby(columns).size().rename("weight").reset_index())
    assert len(counted) < len(paper_summary) and counted["weight"].sum() == len(paper_summary)

    every_row = ClvModel.fit(paper_summary, time_unit_days=7).params()
    weighted = ClvModel.fit(counted, time_unit_days=7).params()

    for name, value in every_row.items():
        assert weighted[name] == pytest.approx(value, rel=1e-4), name
    halved = ClvModel.fit(counted.assign(weight=counted["weight"] * 0.5), time_unit_days=7).params()
    assert halved["r"] == pytest.approx(every_row["r"], rel=1e-4)   # only relative weights matter

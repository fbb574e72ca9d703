"""Summaries the models cannot mean are refused with a message saying what is wrong."""
import pandas as pd
import pytest

from tailor.models.clv import ClvModel, bgnbd, gamma_gamma


def _summary(**columns):
    base = {"frequency": [1.0, 0.0, 2.0], "recency": [3.0, 0.0, 5.0], "T": [10.0, 4.0, 6.0],
            "monetary_value": [10.0, 0.0, 12.0]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize("columns, message", [
    ({"recency": [3.0, 0.0, 7.0]}, "recency > T"),
    ({"frequency": [0.0, 0.0, 0.0], "recency": [0.0, 0.0, 0.0]}, "no customer with a repeat"),
    ({"recency": [3.0, 1.0, 5.0]}, "frequency 0 but a recency"),
    ({"T": [10.0, -1.0, 6.0]}, "negative"),
    ({"T": [10.0, float("nan"), 6.0]}, "missing"),
])
def test_bgnbd_refuses(columns, message):
    s = _summary(**columns)
    with pytest.raises(ValueError, match=message):
        bgnbd.fit(s["frequency"], s["recency"], s["T"])


def test_missing_columns_and_no_repeat_spend():
    with pytest.raises(KeyError, match="monetary_value"):
        ClvModel.fit(_summary().drop(columns="monetary_value"))
    with pytest.raises(ValueError, match="repeat purchases of positive value"):
        gamma_gamma.fit([1.0, 0.0, 2.0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="population mean"):
        gamma_gamma.expected_spend(gamma_gamma.GammaGammaParams(p=1.0, q=0.9, gamma=1.0), [0.0], [0.0])

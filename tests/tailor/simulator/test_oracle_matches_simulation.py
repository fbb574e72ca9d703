"""The oracle's expectations agree with what the simulator generated: summed over the logged
sends, expected conversion value, conversions and unsubscribes are within 4 standard errors of
the realised totals, overall, per channel and per offer."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest


@pytest.fixture(scope="module")
def sends(oracle) -> pl.DataFrame:
    """Logged messages whose responses are all in landing, with the oracle's expectations
    (fatigue as the simulator had it: reconstructed from the logged sends)."""
    sent = oracle.decision_points().filter(pl.col("channel").is_not_null() & ~pl.col("censored"))
    user, day = oracle.customer_index(sent["customer_id"]), sent["day"].to_numpy()
    action = oracle.action_index(sent["action_id"])[:, None]
    out = oracle.outcomes(user, day, action, oracle.logged_fatigue(sent["customer_id"], day))
    return sent.with_columns(
        pl.Series("e_value", out["value"][:, 0]),
        pl.Series("var_value", out["value_sq"][:, 0] - out["value"][:, 0] ** 2),
        pl.Series("e_conversion", out["p_conversion"][:, 0]),
        pl.Series("e_unsub", out["p_unsubscribe"][:, 0]),
        pl.col("action_id").str.split(":").list.last().alias("offer"))


def _z(frame: pl.DataFrame, realised: pl.Expr, expected: str, variance: pl.Expr) -> float:
    row = frame.select(realised.sum().alias("r"), pl.col(expected).sum().alias("e"),
                       variance.sum().alias("v")).row(0, named=True)
    return (row["r"] - row["e"]) / np.sqrt(row["v"])


def _groups(sends: pl.DataFrame):
    yield "all", sends
    for key in ("channel", "offer"):
        for (name,), part in sends.group_by(key, maintain_order=True):
            yield f"{key}={name}", part


def test_enough_sends_to_tell(sends):
    assert sends.height > 8000 and sends["conversions"].sum() > 100
    assert sends["unsubscribed"].sum() > 100


def test_expected_value_matches_realised_value(sends):
    for name, part in _groups(sends):
        z = _z(part, pl.col("value"), "e_value", pl.col("var_value"))
        assert abs(z) < 4, f"{name}: conversion value {z:+.2f} standard errors off"


def test_expected_conversions_match_realised_conversions(sends):
    p = pl.col("e_conversion")
    for name, part in _groups(sends):
        z = _z(part, pl.col("conversions"), "e_conversion", p * (1 - p))
        assert abs(z) < 4, f"{name}: conversions {z:+.2f} standard errors off"


def test_expected_unsubscribes_match_realised_unsubscribes(sends):
    p = pl.col("e_unsub")
    for name, part in _groups(sends):
        z = _z(part, pl.col("unsubscribed").cast(pl.Int64), "e_unsub", p * (1 - p))
        assert abs(z) < 4, f"{name}: unsubscribes {z:+.2f} standard errors off"

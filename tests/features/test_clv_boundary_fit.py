"""Days whose BG/NBD fit lies at the boundary a → 0 (nobody ever drops out: a few weeks of
history with few repeat buyers, six of the default world's nine as-of days) get finite
expectations — the no-dropout (NBD) limit, (r + x)·t / (α + T) · P(alive) — not the ±inf that
scipy's 2F1 beyond z = -1 gave clv_v1 (and the next day's training contracts refused)."""
import numpy as np
import pandas as pd

from tailor.models.clv import ClvModel

# the parameters fitted as of 2026-09-17 on a 1,000-customer world (clv_v1: ±inf on that day)
BOUNDARY = {"r": 1.6810577669793345, "alpha": 29.709547247766636, "a": 8.020587002951586e-16,
            "b": 0.003992273537643796, "p": 2.413938063532519, "q": 3.0255405617039313,
            "gamma": 69.53151936781032}
BUYERS = pd.DataFrame({"frequency": [6.0, 4.0, 0.0, 1.0], "recency": [10.0, 14.0, 0.0, 3.0],
                       "T": [13.0, 16.0, 5.0, 17.0],
                       "monetary_value": [20.0, 35.5, 0.0, 12.0]})


def test_a_boundary_fit_gives_the_no_dropout_limit():
    model = ClvModel.from_params(BOUNDARY)
    alive = model.p_alive(BUYERS)
    for horizon in (30, 90, 365):   # 90 / 365 days: z = -t / (α + T) < -1
        limit = ((BOUNDARY["r"] + BUYERS["frequency"].to_numpy()) * horizon
                 / (BOUNDARY["alpha"] + BUYERS["T"].to_numpy()) * alive)
        np.testing.assert_allclose(model.expected_purchases(BUYERS, horizon), limit, rtol=1e-9)
    assert np.isfinite(model.expected_purchases(BUYERS, 90)).all()

"""The landing probabilities of response chains are exact: they equal a brute-force enumeration
of every send second and delay on small cases (also with two equal delay means, where closed
forms break down)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tailor.simulator.expectations import lands_before
from tailor.simulator.marketing import Delay


def brute(limit: int, delays: list[Delay], jitter: int) -> float:
    pmf = {j: 1.0 / jitter for j in range(jitter)}
    for d in delays:
        q, nxt = math.exp(-1.0 / d.mean), {}
        for x, p in pmf.items():
            k = 0
            while x + d.floor + k < limit:
                nxt[x + d.floor + k] = nxt.get(x + d.floor + k, 0.0) + p * (1 - q) * q ** k
                k += 1
        pmf = nxt
    return sum(pmf.values())


@pytest.mark.parametrize("limit,delays,jitter", [
    (30, [Delay(1, 4.0)], 5),
    (25, [Delay(1, 3.0), Delay(2, 3.0), Delay(0, 0.7)], 4),
    (60, [Delay(1, 9.0), Delay(5, 1.0), Delay(6, 12.0)], 7),
    (3, [Delay(5, 2.0)], 2),
])
def test_lands_before_equals_enumeration(limit, delays, jitter):
    assert lands_before(limit, delays, jitter) == pytest.approx(brute(limit, delays, jitter),
                                                                rel=1e-12, abs=1e-15)


def test_a_late_cap_is_almost_sure_and_no_time_is_impossible():
    assert lands_before(100_000, [Delay(1, 60.0)], 900) == pytest.approx(1.0, abs=1e-12)
    assert lands_before(0, [Delay(1, 60.0)], 900) == 0.0
    assert np.isclose(lands_before(900, [Delay(0, 1e-9)], 900), 1.0)

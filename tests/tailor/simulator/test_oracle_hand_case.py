"""One send worked out by hand from the hidden traits: the oracle's P(open), P(click | open),
P(convert | click), landing probabilities, expected order value and P(unsubscribe) equal an
independent computation (closed-form sums of geometric delays, brute-force enumeration of the
item and quantity draws)."""
from __future__ import annotations

import math
from itertools import product

import numpy as np
import polars as pl
import pytest

from tailor.simulator import simulate
from tailor.simulator.catalog import build_catalog
from tailor.simulator.oracle import Oracle
from tailor.simulator.params import WorldParams
from tailor.simulator.streams import Streams

P = WorldParams()
ACTION, HOUR, DISCOUNT, CHANNEL = "email@20:pct10", 20, 0.10, 0   # email: open mean 180 min
DAY = 3


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("hand")
    simulate(users=60, days=5, seed=3, items=40, out_dir=out, progress=False)
    truth = pl.read_parquet(out / "ground_truth" / "users.parquet")
    # an alive customer who likes discounts a little, so no probability is capped
    row = truth.filter(~pl.col("churned") & pl.col("discount_sensitivity").is_between(0.1, 0.9)
                       ).row(0, named=True)
    return Oracle.load(out), row


def below(n: int, means: list[float]) -> float:
    """P(G_1 + ... + G_k <= n) for independent geometrics floor(Exp(mean_i)), distinct means:
    partial fractions of prod (1 - q_i) / (1 - q_i z)."""
    if n < 0:
        return 0.0
    q = [math.exp(-1 / m) for m in means]
    tail = 0.0
    for i, qi in enumerate(q):
        coef = math.prod(qi / (qi - qj) for j, qj in enumerate(q) if j != i)
        tail += coef * qi ** (n + 1) / (1 - qi)
    return 1.0 - math.prod(1 - qi for qi in q) * tail


def test_hand_computed_send(world):
    oracle, c = world
    limit = (P.response_cap_hours - HOUR) * 3600          # seconds from 20:00 to 06:00
    open_mean = P.open_delay_minutes[CHANNEL] * 60

    gap = abs(HOUR - c["preferred_hour"])
    fit = math.exp(-0.5 * (min(gap, 24 - gap) / P.hour_fit_width) ** 2)
    p_open = c["affinity_email"] * (P.hour_fit_floor + (1 - P.hour_fit_floor) * fit)
    pull = c["discount_sensitivity"] * DISCOUNT / 0.2
    p_click = min(0.95, P.click_base + P.click_discount_gain * pull)
    p_convert = min(0.95, c["purchase_intent"] * (P.convert_base + P.convert_discount_gain * pull))

    # send second J uniform on 0..899; open 1 s + G(180 min), click 5 s + G(60 s),
    # conversion 60 s + G(1200 s); everything must land strictly before 06:00
    jitter = range(900)
    open_lands = sum(below(limit - j - 2, [open_mean]) for j in jitter) / 900
    convert_lands = sum(below(limit - j - 67, [open_mean, 60.0, 1200.0]) for j in jitter) / 900
    # unsubscribe: 10 s + G(300 s) after the open if an open lands, else after the send
    unsub_lands = sum(
        p_open * below(limit - j - 12, [open_mean, 300.0])
        + (1 - p_open * below(limit - j - 2, [open_mean])) * below(limit - j - 11, [300.0])
        for j in jitter) / 900
    p_unsub = P.unsubscribe_base[CHANNEL] * (2 - fit) * unsub_lands

    # order value: category (favourite / second / by popularity), two popularity draws in it,
    # the pricier with probability spend / (1 + spend); quantity 1 + Poisson(0.3 spend)
    catalog = build_catalog(40, Streams(3))
    names = list(catalog.categories)
    cat_p = {k: (1 - P.favourite_share - P.second_share) * catalog.category_weights[k]
             for k in range(len(names))}
    cat_p[names.index(c["favourite_category"])] += P.favourite_share
    cat_p[names.index(c["second_category"])] += P.second_share
    taste = c["spend_level"] / (1 + c["spend_level"])
    lam = P.extra_quantity_per_spend * c["spend_level"]
    quantities = [(1 + k, math.exp(-lam) * lam ** k / math.factorial(k)) for k in range(40)]
    order_value = 0.0
    for k, pk in cat_p.items():
        items = np.flatnonzero(catalog.category == k)
        w = catalog.popularity[items] / catalog.popularity[items].sum()
        for (a, wa), (b, wb) in product(zip(items, w), repeat=2):
            pricier, cheaper = (a, b) if catalog.price[a] >= catalog.price[b] else (b, a)
            for item, p_item in ((pricier, taste), (cheaper, 1 - taste)):
                for q, pq in quantities:
                    value = float(np.round(catalog.price[item] * q * (1 - DISCOUNT), 2))
                    order_value += pk * wa * wb * p_item * pq * value

    user, day = oracle.customer_index([c["customer_id"]]), np.array([DAY])
    out = oracle.outcomes(user, day, oracle.action_index([ACTION])[:, None], np.zeros(1))
    got = {k: float(v[0, 0]) for k, v in out.items()}
    assert got["p_open"] == pytest.approx(p_open * open_lands, rel=1e-9)
    assert got["p_click"] == pytest.approx(p_click, rel=1e-12)
    assert got["p_convert"] == pytest.approx(p_convert, rel=1e-12)
    assert got["p_conversion"] == pytest.approx(p_open * p_click * p_convert * convert_lands,
                                                rel=1e-9)
    assert got["order_value"] == pytest.approx(order_value, rel=1e-9)
    assert got["p_unsubscribe"] == pytest.approx(p_unsub, rel=1e-9)
    expected = p_open * p_click * p_convert * convert_lands * order_value
    assert oracle.expected_value([c["customer_id"]], [DAY], [ACTION])[0] == \
        pytest.approx(expected, rel=1e-9)
    assert 0.0 < convert_lands < 0.99      # the cap really bites at 20:00

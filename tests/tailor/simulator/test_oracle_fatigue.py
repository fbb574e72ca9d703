"""``Oracle.logged_fatigue`` rebuilt from the logged sends is, bit for bit, the message fatigue
the simulator used when it decided each day's unsubscribe odds."""
from __future__ import annotations

from datetime import date

import numpy as np

from tailor.simulator.catalog import build_catalog
from tailor.simulator.marketing import LoggingPolicy
from tailor.simulator.oracle import Oracle
from tailor.simulator.streams import Streams
from tailor.simulator.world import ChunkWorld


def test_logged_fatigue_is_the_simulators(small_world):
    oracle = Oracle.load(small_world)
    args = oracle.world["arguments"]
    streams = Streams(args["seed"])
    world = ChunkWorld(streams, oracle.params, build_catalog(args["items"], streams),
                       LoggingPolicy(oracle.bank, oracle.params.no_message_share),
                       date.fromisoformat(args["start_date"]), oracle.days,
                       np.arange(oracle.n_users, dtype=np.int64))
    ids = [f"C{u + 1:07d}" for u in range(oracle.n_users)]
    for day in range(oracle.days):
        world.step(day, emit=True)
        # after the day: this morning's fatigue + today's sends; tomorrow it decays once
        if day + 1 < oracle.days:
            expected = world.marketing.fatigue * oracle.params.fatigue_decay
            assert np.array_equal(oracle.logged_fatigue(ids, day + 1), expected), day
    assert oracle.logged_fatigue(ids, oracle.days - 1).max() > 1.0

"""Small simulated worlds shared by the simulator tests (generated once per test session)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

SMALL = dict(users=200, days=10, seed=7, items=120, start_date="2026-09-01")


def read_landing(out_dir: Path) -> list[dict]:
    """Every landing event, in file order, with the file it came from under ``_file``."""
    events = []
    for path in sorted((out_dir / "landing").glob("events-*.jsonl")):
        with open(path) as fh:
            for line in fh:
                event = json.loads(line)
                event["_file"] = path.name
                events.append(event)
    return events


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    """200 users x 10 days, written once."""
    from tailor.simulator import simulate

    out = tmp_path_factory.mktemp("sim_small")
    simulate(out_dir=out, progress=False, **SMALL)
    return out


@pytest.fixture(scope="session")
def small_events(small_world) -> list[dict]:
    return read_landing(small_world)


@pytest.fixture(scope="session")
def response_world(tmp_path_factory) -> Path:
    """A larger world (2000 users x 15 days) for statistical properties of responses."""
    from tailor.simulator import simulate

    out = tmp_path_factory.mktemp("sim_responses")
    simulate(users=2000, days=15, seed=11, out_dir=out, items=200, progress=False)
    return out


ORACLE_WORLD = dict(users=3000, days=30, seed=21, items=200, start_date="2026-09-01")


@pytest.fixture(scope="session")
def oracle_world(tmp_path_factory) -> Path:
    """3000 users x 30 days: enough sends to compare the oracle with what really happened."""
    from tailor.simulator import simulate

    out = tmp_path_factory.mktemp("sim_oracle")
    simulate(out_dir=out, progress=False, **ORACLE_WORLD)
    return out


@pytest.fixture(scope="session")
def oracle(oracle_world):
    from tailor.simulator.oracle import Oracle

    return Oracle.load(oracle_world)


LOOP_WORLD = dict(users=300, days=8, seed=13, items=60, start_date="2026-09-01")


def _decision_table(dates: list[str], users: int = LOOP_WORLD["users"], seed: int = 0):
    """A decision for every customer on each of ``dates``: actions cycling through the bank
    (so some are messages their consent forbids), propensities in (0, 1]."""
    import numpy as np
    import polars as pl

    from tailor.config import get_config
    from tailor.simulator import ActionBank

    bank = ActionBank.from_config(get_config().load_actions())
    rng = np.random.default_rng(seed)
    n = users * len(dates)
    return pl.DataFrame({
        "customer_id": [f"C{u + 1:07d}" for _ in dates for u in range(users)],
        "date": [d for d in dates for _ in range(users)],
        "action_id": [bank.action_ids[i] for i in rng.integers(0, len(bank), n)],
        "propensity": rng.uniform(0.05, 1.0, n).round(6),
    })


def _landing_bytes(out_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out_dir / "landing").iterdir())}


@pytest.fixture(scope="session")
def loop_world() -> dict:
    """Arguments of the small world the closed-loop tests steer (300 users x 8 days)."""
    return dict(LOOP_WORLD)


@pytest.fixture(scope="session")
def decision_table():
    """``decision_table(dates, users=300, seed=0)`` -> a polars decision table."""
    return _decision_table


@pytest.fixture(scope="session")
def landing_bytes():
    """``landing_bytes(out_dir)`` -> {file name: bytes} of its landing files."""
    return _landing_bytes

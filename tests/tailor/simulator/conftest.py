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

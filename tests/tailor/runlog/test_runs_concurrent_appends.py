"""Parallel Airflow tasks record at the same moment: concurrent appends to ops.runs (the first
ones racing to create it) all land, none is lost."""
from __future__ import annotations

import multiprocessing as mp
from datetime import datetime, timezone

WRITERS, ROWS = 4, 3


def _writer(cfg, index, start):
    from tailor.runlog import append, run_row

    start.wait()
    for k in range(ROWS):
        now = datetime.now(timezone.utc)
        append(cfg, run_row(run_id=f"w{index}-{k}", job=f"job{index}", task=f"job{index}",
                            ds="2026-10-02", started_at=now, finished_at=now, wall_seconds=0.1,
                            cpu_seconds=0.1, peak_rss_bytes=None, summary={}, error=None, cfg=cfg))


def test_concurrent_appends_all_land(cfg):
    from tailor.lakehouse import Lakehouse

    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(cfg, i, start)) for i in range(WRITERS)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    ids = Lakehouse(cfg).read_arrow("ops.runs", columns=["run_id"]).column("run_id").to_pylist()
    assert sorted(ids) == sorted(f"w{i}-{k}" for i in range(WRITERS) for k in range(ROWS))

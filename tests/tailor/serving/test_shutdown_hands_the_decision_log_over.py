"""Shutdown hands the decision log to ingest, and a failed shutdown is never silent.

The decision log flushes on a 5 ms loop timer; shutdown stops that timer on the loop thread and
only then writes what is left and rotates the segment off the loop (cancelling a loop timer
from another thread while it fires raised inside uvloop and left the segment in ``.open/``,
where ingest never looks). ``RunningServer.stop`` re-raises what the server's thread raised."""
import asyncio
import json
import os

import pytest

from tailor.ingestion.landing import list_landing_files
from tailor.serving.landing import OPEN_DIR, DecisionLog, LandingWriter


def _log(tmp_path) -> DecisionLog:
    return DecisionLog(LandingWriter(tmp_path, "decisions", rotate_seconds=3600))


def test_stop_on_the_loop_then_close_lands_every_line(tmp_path):
    dlog = _log(tmp_path)

    async def serve_a_while() -> None:
        dlog.start(asyncio.get_running_loop())
        for i in range(3):
            dlog.append((b'"c-%d"' % i, b'"action_id":"a"', b"snap"))
            await asyncio.sleep(0.01)  # flushed by the timer
        dlog.append((b'"c-last"', b'"action_id":"a"', b"snap"))  # still buffered
        dlog.stop()
        await asyncio.get_running_loop().run_in_executor(None, dlog.close)
        await asyncio.sleep(0.02)  # no timer left to fire (nor to open a new segment)

    asyncio.run(serve_a_while())
    files = list_landing_files(str(tmp_path))
    lines = [json.loads(line) for p in files for line in open(p)]
    assert [e["customer_id"] for e in lines] == ["c-0", "c-1", "c-2", "c-last"]
    assert os.listdir(tmp_path / OPEN_DIR) == []


def test_close_before_stop_says_what_to_do(tmp_path):
    dlog = _log(tmp_path)

    async def close_too_early() -> None:
        dlog.start(asyncio.get_running_loop())
        try:
            with pytest.raises(RuntimeError, match="stop"):
                dlog.close()
        finally:
            dlog.stop()
        dlog.close()

    asyncio.run(close_too_early())


def test_a_failed_shutdown_raises_from_stop(published, start_server, monkeypatch):
    from tailor.serving.server import LookupServer

    srv = start_server()
    close = LookupServer.close

    async def broken_close(self) -> None:
        await close(self)
        raise OSError("disk gone")

    monkeypatch.setattr(LookupServer, "close", broken_close)
    with pytest.raises(RuntimeError, match="closing") as info:
        srv.stop()
    assert isinstance(info.value.__cause__, OSError)
    srv.stop()  # raised once; stopping again is quiet

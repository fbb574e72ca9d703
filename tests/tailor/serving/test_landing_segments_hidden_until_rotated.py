"""Landing segments: a segment being written lives in a dot-directory the ingest glob never
sees; rotation (by age or size) hands it over under a unique name; recovery after a crash cuts
a torn last line and never steals a segment a live writer still holds."""
import asyncio
import json
import os

from tailor.ingestion.landing import list_landing_files
from tailor.serving.landing import OPEN_DIR, LandingWriter, recover


def _line(i: int) -> bytes:
    return json.dumps({"event_id": f"e{i}", "event_type": "view", "ts": "2026-10-15T00:00:00Z",
                       "customer_id": "c", "item_id": "i"}).encode() + b"\n"


def test_segments_hidden_then_handed_over(tmp_path):
    landing = tmp_path / "landing"
    server_dir = landing / "server"

    async def scenario():
        writer = LandingWriter(server_dir, "events", fsync="always", rotate_bytes=300)
        writer.write(_line(0))
        await writer.durable()
        assert list_landing_files(str(landing)) == []          # open: invisible to ingest
        writer.write(_line(1) + _line(2))                      # > 300 bytes: rotated
        other = LandingWriter(server_dir, "events")             # a second live writer
        other.write(_line(3))
        assert recover(server_dir) == []                        # its segment is locked
        writer.close()
        return other

    other = asyncio.run(scenario())
    files = list_landing_files(str(landing))
    assert len(files) == 1 and os.path.basename(files[0]).startswith("events-")
    assert [json.loads(x)["event_id"] for x in open(files[0])] == ["e0", "e1", "e2"]

    # crash of the second writer mid-line: recovery keeps the complete lines only
    seg = other.open_segments()[0]
    os.write(other._seg.fd, b'{"event_id": "torn"')
    os.close(other._seg.fd)  # the process is gone: its lock with it
    moved = recover(server_dir)
    assert len(moved) == 1 and not os.listdir(server_dir / OPEN_DIR)
    assert [json.loads(x)["event_id"] for x in open(moved[0])] == ["e3"]
    assert os.path.basename(seg) == os.path.basename(moved[0])
    assert len(list_landing_files(str(landing))) == 2

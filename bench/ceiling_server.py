"""The ceiling for bench/serve.py: a bare uvloop + httptools server over a Python dict.

It answers ``GET /v1/decisions/{user_id}`` with the exact bytes Tailor serves for that user
(precomputed full JSON bodies, keyed by the customer id in the clear: no pseudonymisation, no
snapshot, no logging), and a fixed fallback body for unknown ids. Nothing a real lookup server
must do is done here, so its throughput is what Python + uvloop + httptools can reach on this
machine: the upper bound Tailor is compared with.

    python bench/ceiling_server.py --records records.parquet --port 0

reads a Parquet file with columns ``user_id`` and ``decision`` (the record's JSON text, the
same file Feast materialises; ids must be plain, JSON-safe strings), plus
``--fallback FILE`` (the unknown-user body), prints ``READY <host> <port>`` once listening and
stops on SIGTERM / SIGINT. Binds 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import httptools
import pyarrow as pa
import pyarrow.parquet as pq
import uvloop

PREFIX = b"/v1/decisions/"
HEAD = b"HTTP/1.1 200 OK\r\nServer: ceiling\r\nContent-Type: application/json\r\nContent-Length: "
NOT_FOUND = (b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 21"
             b"\r\n\r\n{\"error\":\"not_found\"}")


class Proto(asyncio.Protocol):
    __slots__ = ("parser", "transport", "url", "records", "fallback")

    def __init__(self, records: dict[bytes, bytes], fallback: bytes) -> None:
        self.records, self.fallback = records, fallback
        self.parser = httptools.HttpRequestParser(self)
        self.transport = None
        self.url = b""

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_message_complete(self) -> None:
        url, self.url = self.url, b""
        if not url.startswith(PREFIX):
            self.transport.write(NOT_FOUND)
            return
        body = self.records.get(url[len(PREFIX):])
        if body is None:
            body = self.fallback
        self.transport.write(b"%b%d\r\n\r\n%b" % (HEAD, len(body), body))
        if not self.parser.should_keep_alive():
            self.transport.close()


def load(path: str) -> dict[bytes, bytes]:
    """user id -> the full response body, ``{"user_id":"<id>",`` + the decision's fields."""
    records: dict[bytes, bytes] = {}
    for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000,
                                                   columns=["user_id", "decision"]):
        ids = batch.column(0).cast(pa.binary()).to_pylist()
        decisions = batch.column(1).cast(pa.binary()).to_pylist()
        for uid, decision in zip(ids, decisions):
            records[uid] = b'{"user_id":"%b",%b' % (uid, memoryview(decision)[1:])
    pa.default_memory_pool().release_unused()  # give Arrow's buffers back before serving
    return records


async def main(args: argparse.Namespace) -> None:
    records = load(args.records)
    with open(args.fallback, "rb") as fh:
        fallback = fh.read()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(lambda: Proto(records, fallback), "127.0.0.1",
                                      args.port, backlog=1024)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"READY {host} {port} records={len(records)}", flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", required=True, help="Parquet file: user_id, decision")
    parser.add_argument("--fallback", required=True, help="file holding the unknown-user body")
    parser.add_argument("--port", type=int, default=0)
    uvloop.run(main(parser.parse_args()))
    sys.exit(0)

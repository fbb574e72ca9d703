"""Serving fixtures (``cfg`` comes from tests/conftest.py): a small gold.decisions table, a
published snapshot, a real server on a free loopback port (always stopped), and an HTTP client
that ignores proxy settings."""
from __future__ import annotations

import os
import re
import selectors
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import tailor
from tailor.config import Config
from tailor.serving.snapshot import SnapshotInfo, build_snapshot, set_current
from tests.support.synthetic import decisions_table

DS = "2026-10-15"
OPTED_OUT = "c-opted-out"
ODD_ID = "jörg/o'neil \"x\" ?#%"  # needs percent-encoding in a URL and escaping in JSON
CUSTOMERS = [f"c-{i:04d}" for i in range(200)] + [OPTED_OUT, ODD_ID]


@pytest.fixture
def opted_out_customer() -> str:
    """The fixture table's customer who revoked consent (the guardian chose no message)."""
    return OPTED_OUT


@pytest.fixture
def odd_customer() -> str:
    """A customer id with non-ASCII, '/', quotes and URL metacharacters."""
    return ODD_ID


@pytest.fixture
def decisions(cfg: Config):
    return decisions_table(CUSTOMERS, DS, cfg.privacy.pseudonym_key,
                           cfg.privacy.person_id_length, opted_out=frozenset({OPTED_OUT}))


@pytest.fixture
def publish(cfg: Config):
    """Build + point CURRENT, as the publish job does, without a Delta table."""
    def _publish(table, version: int = 3) -> SnapshotInfo:
        info = build_snapshot(table, cfg.serving_dir, {"decisions_version": version},
                              fallback_top_k=cfg.serving.top_k)
        set_current(cfg.serving_dir, info.snapshot_id)
        return info
    return _publish


@pytest.fixture
def published(decisions, publish) -> SnapshotInfo:
    return publish(decisions)


@pytest.fixture
def server(published: SnapshotInfo, cfg: Config):
    from tailor.serving.server import serve_in_thread

    running = serve_in_thread(cfg.serving_dir, cfg.privacy.pseudonym_key,
                              cfg.privacy.person_id_length, reload_interval=0.1)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.url, trust_env=False, timeout=5) as c:
        yield c


EVENTS_KEY, ADMIN_KEY = "test-events-key", "test-admin-key"


@pytest.fixture
def start_server(cfg):
    """Factory for real servers on ``cfg``'s serving dir with a landing dir, the overlay table
    (``cfg`` lakehouse), API keys and fast polling; every one started is stopped."""
    from tailor.serving.server import RunningServer, ServerSettings

    running = []

    def _start(**overrides):
        options = dict(port=0, reload_interval=0.1, overlay_poll=0.1,
                       events_keys=(EVENTS_KEY,), admin_keys=(ADMIN_KEY,),
                       events_rotate_seconds=0.5, decisions_rotate_seconds=0.5)
        options.update(overrides)
        srv = RunningServer(ServerSettings.from_config(cfg, **options))
        running.append(srv)
        return srv

    yield _start
    for srv in running:
        srv.stop()


@pytest.fixture
def full_server(published, start_server):
    """A server with everything on (landing, decision log, overlay polling, keys)."""
    return start_server()


@pytest.fixture
def full_client(full_server):
    with httpx.Client(base_url=full_server.url, trust_env=False, timeout=10) as c:
        yield c


@pytest.fixture
def write_overlay(cfg):
    """Overwrite gold.overlay with rows {customer: (revoked, messages_today, bought)}."""
    from datetime import datetime, timezone

    import pyarrow as pa
    from deltalake import write_deltalake

    from tailor.lakehouse.tables import table_uri
    from tailor.privacy import pseudonymise

    schema = pa.schema([("person_id", pa.string()), ("revoked_channels", pa.list_(pa.string())),
                        ("messages_today", pa.int32()), ("bought_items", pa.list_(pa.string())),
                        ("updated_at", pa.timestamp("us", tz="UTC"))])
    uri = table_uri(cfg.lakehouse_root, "gold.overlay")

    def _write(rows: dict) -> None:
        now = datetime.now(timezone.utc)
        data = [{"person_id": pseudonymise(c, cfg.privacy.pseudonym_key,
                                           cfg.privacy.person_id_length),
                 "revoked_channels": list(r[0]), "messages_today": r[1],
                 "bought_items": list(r[2]), "updated_at": now} for c, r in rows.items()]
        write_deltalake(uri, pa.Table.from_pylist(data, schema=schema), mode="overwrite")

    return _write


@pytest.fixture
def events_auth() -> dict:
    return {"Authorization": f"Bearer {EVENTS_KEY}"}


@pytest.fixture
def admin_auth() -> dict:
    return {"X-API-Key": ADMIN_KEY}


@pytest.fixture
def message_customer(decisions, cfg):
    """``message_customer(channel=None)``: a fixture customer whose precomputed decision
    sends a message (on ``channel``)."""
    from tailor.privacy import pseudonymise

    rows = {r["person_id"]: r for r in decisions.to_pylist()}

    def _pick(channel: str | None = None, skip: int = 0) -> str:
        found = []
        for c in CUSTOMERS:
            row = rows[pseudonymise(c, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)]
            if row["channel"] and (channel is None or row["channel"] == channel):
                found.append(c)
        return found[skip]

    return _pick


def _read(sock: socket.socket, count: int, heads: tuple[int, ...]) -> list[tuple[int, dict, bytes]]:
    buf, out = b"", []
    while len(out) < count:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(out)} responses"
            buf += chunk
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        length = 0 if len(out) in heads else int(headers["content-length"])
        while len(buf) < length:
            buf += sock.recv(65536)
        out.append((int(lines[0].split()[1]), headers, buf[:length]))
        buf = buf[length:]
    return out


@pytest.fixture
def read_responses():
    """``read_responses(sock, count, heads=())``: read ``count`` Content-Length-framed responses
    from a raw socket as (status, headers, body); those at indexes in ``heads`` answer a HEAD
    request and have no body whatever their Content-Length."""
    return _read_responses


def _read_responses(sock: socket.socket, count: int,
                    heads: tuple[int, ...] = ()) -> list[tuple[int, dict, bytes]]:
    return _read(sock, count, heads)


@pytest.fixture
def raw_http():
    """``raw_http(server, data, count=1, heads=())``: send raw bytes on a new connection and read
    ``count`` responses (indexes in ``heads`` answer HEAD: no body); returns (responses, sock)
    with the socket still open (closed at teardown)."""
    opened = []

    def _send(server, data: bytes, count: int = 1, heads: tuple[int, ...] = ()):
        sock = socket.create_connection((server.host, server.port), timeout=10)
        opened.append(sock)
        sock.sendall(data)
        return _read(sock, count, heads), sock

    yield _send
    for sock in opened:
        sock.close()


@pytest.fixture
def closed_by_server():
    """``closed_by_server(sock)``: the server has closed the connection — an EOF, or a reset
    (closing with bytes of the client's still unread, as after a refused oversized head, makes
    the kernel send RST instead of FIN; which one the client sees depends on timing)."""
    def _closed(sock: socket.socket) -> bool:
        try:
            return sock.recv(1) == b""
        except ConnectionResetError:
            return True

    return _closed


REPO = Path(tailor.__file__).resolve().parent.parent


@pytest.fixture
def tailor_process():
    """``tailor_process(*args, env=None)``: the ``tailor`` CLI as a real process (this checkout,
    repo config, ``env`` added to the environment), stdout/stderr piped; every one started is
    killed at teardown."""
    started: list[subprocess.Popen] = []

    def _start(*args: str, env: dict | None = None) -> subprocess.Popen:
        full_env = {**os.environ, "TAILOR_HOME": str(REPO), **(env or {}),
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                                os.environ.get("PYTHONPATH")]))}
        proc = subprocess.Popen([sys.executable, "-c", "import sys; from tailor.cli import main; "
                                 "sys.exit(main())", *args], cwd=REPO, env=full_env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(proc)
        return proc

    yield _start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def read_line(proc: subprocess.Popen, timeout: float = 30.0) -> str:
    """The next line ``proc`` prints on stdout (TimeoutError if none within ``timeout``)."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        raise TimeoutError("the process printed nothing")
    return proc.stdout.readline()


@pytest.fixture
def served_url():
    """``served_url(proc)``: the http://127.0.0.1:PORT a started ``tailor serve`` prints."""
    def _url(proc: subprocess.Popen) -> str:
        line = read_line(proc)
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        return f"http://127.0.0.1:{match.group(1)}"
    return _url

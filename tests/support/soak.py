"""A checking load generator for the lookup server (soak tests, ``bench/serve_soak.py``).

Unlike wrk it reads every answer and classifies it: a *well-formed* request (a decision lookup,
a batch, a valid event POST) must get a 2xx; a *malformed* one (bad UTF-8, bad ``k``, unknown
parameter or route, wrong method, invalid JSON, an invalid event, a garbage request line, an
oversized URL) must get a 4xx with a JSON error body; nothing may get a 5xx or lose its
connection. Timed actions (publish a snapshot, roll back, ...) run in a worker thread while the
load goes on. Plain asyncio streams: it checks correctness, it is not a throughput tool.
"""
from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

MALFORMED = ("bad_utf8", "bad_k", "unknown_param", "unknown_route", "wrong_method", "bad_json",
             "invalid_event", "garbage", "huge_url", "bad_channel")


@dataclass
class LoadResult:
    seconds: float = 0.0
    well_formed: int = 0
    well_formed_failed: int = 0
    malformed: int = 0
    malformed_not_4xx: int = 0
    status: dict[int, int] = field(default_factory=dict)
    server_errors: int = 0           # any 5xx
    connection_errors: int = 0       # a well-formed request without an answer
    failures: list[str] = field(default_factory=list)  # first few, for the report
    latencies_ms: list[float] = field(default_factory=list)  # well-formed GETs
    snapshots_seen: set[str] = field(default_factory=set)
    decisions_answered: int = 0      # decisions in 2xx answers (GET: 1, batch: its length)
    actions: list[dict[str, Any]] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]

    def summary(self) -> dict[str, Any]:
        total = self.well_formed + self.malformed
        return {"seconds": round(self.seconds, 2), "requests": total,
                "rps": round(total / self.seconds, 1) if self.seconds else 0.0,
                "well_formed": self.well_formed, "well_formed_failed": self.well_formed_failed,
                "malformed": self.malformed, "malformed_share": round(self.malformed / total, 4)
                if total else 0.0, "malformed_not_4xx": self.malformed_not_4xx,
                "server_errors_5xx": self.server_errors,
                "connection_errors": self.connection_errors,
                "status": {str(k): v for k, v in sorted(self.status.items())},
                "p50_ms": round(self.percentile(50), 3), "p99_ms": round(self.percentile(99), 3),
                "snapshots_seen": sorted(self.snapshots_seen), "actions": self.actions,
                "failures": self.failures[:10]}

    @property
    def ok(self) -> bool:
        return not (self.well_formed_failed or self.server_errors or self.malformed_not_4xx
                    or self.connection_errors)


def _request(method: str, target: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: tailor"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
        lines.append("Content-Type: application/json")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class Mix:
    """Draws requests: (kind, raw bytes, well_formed)."""

    def __init__(self, users: list[str], malformed_share: float, events_key: str | None,
                 event_share: float = 0.01, batch_share: float = 0.01, seed: int = 1) -> None:
        self.users = users
        self.malformed_share = malformed_share
        self.key = events_key
        self.event_share = event_share if events_key else 0.0
        self.batch_share = batch_share
        self.rng = random.Random(seed)

    def user(self) -> str:
        if self.rng.random() < 0.05:
            return f"unknown-{self.rng.randrange(1 << 30)}"
        return self.rng.choice(self.users)

    def draw(self) -> tuple[str, bytes, bool]:
        r = self.rng.random()
        if r < self.malformed_share:
            return self.malformed(self.rng.choice(MALFORMED))
        r -= self.malformed_share
        auth = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        if r < self.event_share:
            event = {"event_id": uuid.uuid4().hex, "event_type": "view",
                     "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     "customer_id": self.user(), "item_id": f"item-{self.rng.randrange(1000):05d}"}
            return "event", _request("POST", "/v1/events", json.dumps(event).encode(), auth), True
        r -= self.event_share
        if r < self.batch_share:
            body = json.dumps({"user_ids": [self.user() for _ in range(5)], "k": 3}).encode()
            return "batch", _request("POST", "/v1/decisions:batch", body), True
        query = "" if self.rng.random() < 0.9 else self.rng.choice(
            ["?k=2", "?channel=email", "?surface=home&k=1", "?channel=push"])
        from urllib.parse import quote

        return "get", _request("GET", "/v1/decisions/" + quote(self.user(), safe="") + query), True

    def malformed(self, kind: str) -> tuple[str, bytes, bool]:
        auth = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        user = self.rng.choice(self.users)
        if kind == "bad_utf8":
            raw = _request("GET", "/v1/decisions/%FF%FE")
        elif kind == "bad_k":
            raw = _request("GET", f"/v1/decisions/{user}?k=lots")
        elif kind == "bad_channel":
            raw = _request("GET", f"/v1/decisions/{user}?channel=pigeon")
        elif kind == "unknown_param":
            raw = _request("GET", f"/v1/decisions/{user}?colour=blue")
        elif kind == "unknown_route":
            raw = _request("GET", "/v2/nothing-here")
        elif kind == "wrong_method":
            raw = _request("DELETE", f"/v1/decisions/{user}")
        elif kind == "bad_json":
            raw = _request("POST", "/v1/events", b"{not json", auth)
        elif kind == "invalid_event":
            raw = _request("POST", "/v1/events", json.dumps(
                {"event_type": "purchase", "customer_id": user}).encode(), auth)
        elif kind == "garbage":
            raw = b"THIS IS NOT HTTP\r\n\r\n"
        else:  # huge_url
            raw = _request("GET", "/v1/decisions/" + "x" * 9000)
        return kind, raw, False


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def _worker(host: str, port: int, mix: Mix, deadline: float, result: LoadResult) -> None:
    reader = writer = None
    while time.monotonic() < deadline:
        if writer is None:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError as exc:
                result.connection_errors += 1
                result.failures.append(f"connect: {exc}")
                await asyncio.sleep(0.05)
                continue
        kind, raw, well_formed = mix.draw()
        started = time.perf_counter()
        try:
            writer.write(raw)
            status, headers, body = await asyncio.wait_for(_read_response(reader), 10)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError,
                asyncio.LimitOverrunError, ValueError) as exc:
            if well_formed:
                result.well_formed += 1
                result.connection_errors += 1
                result.failures.append(f"{kind}: no answer ({type(exc).__name__}: {exc})")
            else:
                result.malformed += 1
                result.malformed_not_4xx += 1
                result.failures.append(f"malformed {kind}: no answer ({type(exc).__name__})")
            writer.close()
            reader = writer = None
            continue
        elapsed = (time.perf_counter() - started) * 1000
        result.status[status] = result.status.get(status, 0) + 1
        if status >= 500:
            result.server_errors += 1
            result.failures.append(f"{kind}: {status} {body[:200]!r}")
        if well_formed:
            result.well_formed += 1
            if not 200 <= status < 300:
                result.well_formed_failed += 1
                result.failures.append(f"{kind}: {status} {body[:200]!r}")
            elif kind == "get":
                result.latencies_ms.append(elapsed)
                result.decisions_answered += 1
                sid = json.loads(body).get("snapshot_id")
                if sid:
                    result.snapshots_seen.add(sid)
            elif kind == "batch":
                result.decisions_answered += len(json.loads(body)["decisions"])
        else:
            result.malformed += 1
            try:
                ok_body = "error" in json.loads(body)
            except ValueError:
                ok_body = False
            if not 400 <= status < 500 or not ok_body:
                result.malformed_not_4xx += 1
                result.failures.append(f"malformed {kind}: {status} {body[:200]!r}")
        if headers.get("connection", "").lower() == "close":
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def run_load(host: str, port: int, *, seconds: float, connections: int, mix: Mix,
                   actions: list[tuple[float, str, Callable[[], Any]]] = ()) -> LoadResult:
    """Load for ``seconds`` over ``connections``; ``actions`` = (at second, name, fn) run in a
    worker thread while the load goes on, one after the other (an action starts at its time or
    when the previous one finished, whichever is later); results / errors are recorded."""
    result = LoadResult()
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    deadline = started + seconds

    async def timeline() -> None:
        for at, name, fn in sorted(actions, key=lambda a: a[0]):
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            t0 = time.monotonic()
            entry: dict[str, Any] = {"name": name, "at": round(t0 - started, 2)}
            try:
                entry["result"] = await loop.run_in_executor(None, fn)
            except Exception as exc:  # noqa: BLE001 - recorded, the load goes on
                entry["error"] = f"{type(exc).__name__}: {exc}"
            entry["seconds"] = round(time.monotonic() - t0, 2)
            result.actions.append(entry)

    workers = [asyncio.create_task(_worker(host, port, mix, deadline, result))
               for _ in range(connections)]
    actions_done = asyncio.create_task(timeline())
    await asyncio.gather(*workers)
    await actions_done
    result.seconds = time.monotonic() - started
    return result


# ---------------------------------------------------------------------------- the soak scenario

def soak(work: str, *, users: int = 20_000, seconds: float = 10.0, connections: int = 16,
         malformed_share: float = 0.05, key: str = "soak-key", length: int = 20,
         server_args: tuple[str, ...] = ()) -> dict[str, Any]:
    """Publish snapshot A, start ``tailor serve`` (a real process), load it for ``seconds``
    while publishing snapshot B (at 25%), rolling back to A through the admin API (50%) and
    forcing CURRENT onto a corrupt snapshot C (75%); then stop the server with SIGTERM and
    count the decision log. Returns the summary (``ok`` says whether every check passed)."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from tailor.client import TailorClient
    from tailor.serving.snapshot import build_snapshot, read_current, set_current
    from tests.support.synthetic import bulk_decisions, customer_id

    root = Path(work)
    serving, landing = root / "serving", root / "landing"
    t0 = time.perf_counter()
    table = bulk_decisions(users, "2026-10-15", key, length)
    first = build_snapshot(table, serving, {"decisions_version": 1})
    set_current(serving, first.snapshot_id)
    build_seconds = time.perf_counter() - t0
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "TAILOR_HOME": str(repo),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
           "TAILOR__PATHS__SERVING": str(serving), "TAILOR__PATHS__LANDING": str(landing),
           "TAILOR__PATHS__LAKEHOUSE": str(root / "lakehouse"),
           "TAILOR__PRIVACY__PSEUDONYM_KEY": key, "TAILOR__PRIVACY__PERSON_ID_LENGTH": str(length),
           "TAILOR__SERVING__API_KEYS__EVENTS": '["soak-events"]',
           "TAILOR__SERVING__API_KEYS__ADMIN": '["soak-admin"]',
           "TAILOR__SERVING__RELOAD_INTERVAL_SECONDS": "0.2"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tailor.cli import main; sys.exit(main())",
         "serve", "--port", "0", *server_args], cwd=repo, env=env, text=True,
        stdout=subprocess.PIPE, stderr=open(root / "server.log", "w"))
    summary: dict[str, Any] = {"users": users, "build_seconds": round(build_seconds, 2)}
    result = LoadResult()
    ids: dict[str, str] = {"A": first.snapshot_id}
    try:
        line = proc.stdout.readline()
        if "http://" not in line:
            raise RuntimeError(f"server did not start: {line!r}; see {root / 'server.log'}")
        url = line.split("http://", 1)[1].split()[0]
        host, port = url.rsplit(":", 1)
        admin = TailorClient(f"http://{url}", api_key="soak-admin", timeout=30)

        def publish_b() -> str:
            info = build_snapshot(table, serving, {"decisions_version": 2})
            set_current(serving, info.snapshot_id)
            ids["B"] = info.snapshot_id
            return info.snapshot_id

        def rollback() -> dict:
            return admin.rollback()

        def publish_corrupt() -> str:
            info = build_snapshot(table.slice(0, max(1, users // 10)), serving,
                                  {"decisions_version": 3})
            lookup = Path(info.path, info.manifest["lookup_file"])
            data = bytearray(lookup.read_bytes())
            data[len(data) // 2] ^= 0xFF
            lookup.write_bytes(bytes(data))
            set_current(serving, info.snapshot_id, verify=False)
            ids["C"] = info.snapshot_id
            return info.snapshot_id

        mix = Mix([customer_id(i) for i in range(users)], malformed_share, "soak-events")
        result = asyncio.run(run_load(host, int(port), seconds=seconds, connections=connections,
                                      mix=mix, actions=[(seconds * 0.25, "publish B", publish_b),
                                                        (seconds * 0.5, "rollback", rollback),
                                                        (seconds * 0.75, "publish corrupt C",
                                                         publish_corrupt)]))
        health = admin.health()
        status = admin.snapshots()
        admin.close()
        summary.update(result.summary())
        summary["serving_at_end"] = health["snapshot_id"]
        summary["current_at_end"] = read_current(serving)
        summary["refused_at_end"] = status.get("refused")
        summary["snapshot_ids"] = ids
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                summary["exit_code"] = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                summary["exit_code"] = proc.wait()
        else:
            summary["exit_code"] = proc.returncode
    from tailor.events import validate_event

    decisions = sorted(landing.glob("server/decisions-*.jsonl"))
    logged, invalid, checked = 0, [], 0
    for path in decisions:
        with open(path, "rb") as fh:
            for line in fh:
                logged += 1
                if checked < 200_000:  # validate (up to) the first 200k lines
                    checked += 1
                    try:
                        reason = validate_event(json.loads(line))
                    except ValueError:
                        reason = "invalid_json"
                    if reason is not None and len(invalid) < 5:
                        invalid.append(f"{reason}: {line[:200]!r}")
    summary["decision_log_invalid"] = invalid
    served = result.decisions_answered
    summary["decisions_logged"] = logged
    summary["decisions_served"] = served
    summary["decision_log_files"] = len(decisions)
    summary["left_open"] = [p.name for p in landing.glob("server/.open/*.jsonl")]
    checks = {
        "zero_5xx": summary.get("server_errors_5xx") == 0,
        "zero_failed_well_formed": summary.get("well_formed_failed") == 0
        and summary.get("connection_errors") == 0,
        "malformed_all_4xx": summary.get("malformed_not_4xx") == 0,
        "swapped_to_B": ids.get("B") in summary.get("snapshots_seen", []),
        "rolled_back_to_A": summary.get("serving_at_end") == ids["A"],
        "corrupt_refused": ids.get("C") is not None and summary.get("refused_at_end") == ids.get("C"),
        "actions_ok": all("error" not in a for a in summary.get("actions", [])),
        "every_decision_logged": logged == served and not invalid,
        "clean_exit": summary.get("exit_code") == 0 and not summary["left_open"],
    }
    summary["checks"] = checks
    summary["ok"] = all(checks.values())
    return summary

"""Consent soak: a real ``tailor serve`` process answers >= 10^6 decisions while consent changes
arrive out of order over ``POST /v1/events`` from clients whose clocks are skewed by up to
±10 minutes, with a share of stale events (dated further back than the server's
``local_consent_ttl``) and of events dated beyond the allowed future skew (which must be
refused). An independent checker then replays the consent stream in the order the server
received it (the ``received_at`` stamps in the server's own landing files) and counts the
decisions that served a channel the person had revoked at that moment: must be 0.

    .venv/bin/python bench/consent_soak.py                         # 2,000 persons, 10^6 decisions
    .venv/bin/python bench/consent_soak.py --decisions 200000      # quicker
    .venv/bin/python bench/consent_soak.py --help

"At that moment": the server answered at one instant between the client sending the request and
receiving the answer, so a violation is a message on a channel that was revoked for that whole
window (a change stamped before the request was sent was applied before it was read: one event
loop, the stamp and the overlay update are one synchronous step; one stamped while it was in
flight may or may not have been). The checker's rule is the documented one, coded
here on its own (a scan in receipt order, not tailor/consent.py): a revocation received after a
grant wins; a grant wins only if it is received at or after every revocation *and* dated after
all of them (changes received together go by their dates; a tie: revoked).

Prints a table; the last line is one JSON object, also written to
bench/results/consent_soak.json. Exits 1 if a violation (or a lost acknowledged event) is found.
"""
from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHANNELS = ("email", "push", "sms", "in_app")
KEY, LENGTH, EVENTS_KEY = "consent-soak-key", 20, "consent-soak-events"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="milliseconds") \
        .replace("+00:00", "Z")


def epoch(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# ------------------------------------------------------------------------------ HTTP client

class Connection:
    """One keep-alive HTTP/1.1 connection (no pipelining)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, target: str, body: bytes | None = None,
                      headers: str = "") -> tuple[float, float, int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\n{headers}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        raw = (head + "\r\n").encode() + (body or b"")
        sent = time.time()
        self.writer.write(raw)
        status_line = await self.reader.readuntil(b"\r\n")
        length, close = 0, False
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "connection" and "close" in value.lower():
                close = True
        payload = await self.reader.readexactly(length)
        received = time.time()
        if close:
            self.close()
        return sent, received, int(status_line.split()[1]), payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# --------------------------------------------------------------------------------- the load

class Observed:
    """What the clients saw: every decision (compact arrays) and every consent request."""

    def __init__(self) -> None:
        self.person = array("i")
        self.sent = array("d")
        self.received = array("d")
        self.served = array("b")       # channel index + 1 of the message served, 0 = none
        self.suppressed = array("b")   # channel index + 1 of a consent_revoked guardrail, 0 = none
        self.status = Counter()
        self.consent_posts = 0
        self.acked_events: list[str] = []
        self.rejected_future = 0
        self.rejected_edge = 0
        self.future_expected = 0
        self.other_errors: list[str] = []
        self.kinds = Counter()

    def decision(self, person: int, sent: float, received: float, body: dict) -> None:
        message = body.get("message")
        served = CHANNELS.index(message["channel"]) + 1 if message else 0
        suppressed = 0
        for rule in body.get("guardrails") or ():
            if rule.startswith("consent_revoked:"):
                suppressed = CHANNELS.index(rule.split(":", 1)[1]) + 1
        self.person.append(person)
        self.sent.append(sent)
        self.received.append(received)
        self.served.append(served)
        self.suppressed.append(suppressed)


def customer(i: int) -> str:
    return f"c-{i:07d}"


async def decision_worker(conn: Connection, persons: int, batch: int, single_share: float,
                          rng: random.Random, obs: Observed, stop: asyncio.Event) -> None:
    while not stop.is_set():
        if rng.random() < single_share:
            p = rng.randrange(persons)
            sent, received, status, body = await conn.request("GET", f"/v1/decisions/{customer(p)}")
            obs.status[status] += 1
            if status == 200:
                obs.decision(p, sent, received, json.loads(body))
            continue
        ids = [rng.randrange(persons) for _ in range(batch)]
        payload = json.dumps({"user_ids": [customer(p) for p in ids]}).encode()
        sent, received, status, body = await conn.request("POST", "/v1/decisions:batch", payload)
        obs.status[status] += 1
        if status == 200:
            for p, decision in zip(ids, json.loads(body)["decisions"]):
                obs.decision(p, sent, received, decision)


class ConsentClient:
    """Sessions of grants and revocations for one person at a time, from devices with skewed
    clocks, some stale, some dated too far ahead; each acknowledged change is followed by a
    decision request for that person."""

    def __init__(self, args: argparse.Namespace, channel_of: list[int], rng: random.Random,
                 obs: Observed) -> None:
        self.args, self.channel_of, self.rng, self.obs = args, channel_of, rng, obs
        self.auth = f"Authorization: Bearer {EVENTS_KEY}\r\n"
        self.seq = 0

    def _event(self, person: int, channel: str, grant: bool, skew: float) -> tuple[dict, str]:
        """A change and its kind: ``future`` (dated beyond the allowed skew: must be refused),
        ``stale`` (older than the TTL), ``skewed`` (the device's clock), ``edge`` (within a
        second of the limit: either answer is right)."""
        a, rng, now = self.args, self.rng, time.time()
        roll = rng.random()
        if roll < a.future_share:
            ts = now + rng.choice([a.max_skew + 120, 3600.0, 86400.0 * 365,
                                   epoch("2999-01-01T00:00:00Z") - now])
        elif roll < a.future_share + a.stale_share:
            ts = now - a.ttl_hours * 3600 - rng.uniform(3600, 30 * 86400)
        else:
            ts = now + skew + rng.uniform(-2, 2)
        ahead = ts - now
        kind = ("future" if ahead > a.max_skew + 1 else "edge" if ahead > a.max_skew - 1
                else "stale" if ahead < -a.ttl_hours * 3600 else "skewed")
        self.seq += 1
        event = {"event_id": f"cs-{os.getpid()}-{id(self)}-{self.seq}", "customer_id":
                 customer(person), "channel": channel, "ts": iso(ts)}
        if grant:
            event.update(event_type="consent_change", granted=True)
        elif rng.random() < 0.3:
            event["event_type"] = "unsubscribe"
        else:
            event.update(event_type="consent_change", granted=False)
        return event, kind

    async def run(self, conn: Connection, persons: int, stop: asyncio.Event) -> None:
        a, rng, obs = self.args, self.rng, self.obs
        while not stop.is_set():
            person = rng.randrange(persons)
            served = self.channel_of[person]
            channel = CHANNELS[served - 1] if served and rng.random() < 0.85 else rng.choice(CHANNELS)
            devices = [rng.uniform(-a.skew_minutes * 60, a.skew_minutes * 60) for _ in range(2)]
            grant = rng.random() < 0.5
            for _ in range(rng.randint(2, 6)):
                together = rng.random() < 0.1  # two changes in one request: one receive time
                events = []
                for _ in range(2 if together else 1):
                    event, kind = self._event(person, channel, grant, rng.choice(devices))
                    events.append((event, kind))
                    grant = not grant
                body = json.dumps({"events": [e for e, _ in events]}).encode()
                _, _, status, answer = await conn.request("POST", "/v1/events", body, self.auth)
                obs.consent_posts += 1
                future = any(k == "future" for _, k in events)
                edge = any(k == "edge" for _, k in events)
                obs.future_expected += future
                if status == 202:
                    if future:
                        obs.other_errors.append(f"future event accepted: {events}")
                    obs.acked_events += [e["event_id"] for e, _ in events]
                    obs.kinds.update(k for _, k in events)
                elif status == 400 and (future or edge) and b"future_event" in answer:
                    obs.rejected_future += 1
                    obs.rejected_edge += edge and not future
                    continue
                else:
                    obs.other_errors.append(f"POST /v1/events {status}: {answer[:300]!r}")
                    continue
                sent, received, status, body = await conn.request(
                    "GET", f"/v1/decisions/{customer(person)}")
                obs.status[status] += 1
                if status == 200:
                    obs.decision(person, sent, received, json.loads(body))
                await asyncio.sleep(rng.uniform(0, a.pause_ms / 1000))


async def load(args: argparse.Namespace, host: str, port: int, channel_of: list[int],
               obs: Observed) -> float:
    stop = asyncio.Event()
    rng = random.Random(args.seed)
    conns = [Connection(host, port) for _ in range(args.decision_connections + args.consent_clients)]
    tasks = [asyncio.create_task(decision_worker(conns[i], args.persons, args.batch,
                                                 args.single_share, random.Random(rng.random()),
                                                 obs, stop))
             for i in range(args.decision_connections)]
    for j in range(args.consent_clients):
        client = ConsentClient(args, channel_of, random.Random(rng.random()), obs)
        tasks.append(asyncio.create_task(client.run(conns[args.decision_connections + j],
                                                    args.persons, stop)))
    started = time.time()
    last = started
    while len(obs.person) < args.decisions and time.time() - started < args.max_seconds:
        await asyncio.sleep(0.5)
        if any(t.done() for t in tasks):
            break
        if time.time() - last >= 15:
            last = time.time()
            print(f"  {time.time() - started:6.0f}s  decisions {len(obs.person):>9,}  consent "
                  f"requests {obs.consent_posts:>7,}", flush=True)
    stop.set()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    for conn in conns:
        conn.close()
    errors = [repr(e) for e in done if isinstance(e, BaseException)]
    obs.other_errors += errors
    return time.time() - started


# ------------------------------------------------------------------------------ the checker

def consent_timelines(landing: Path) -> tuple[dict, Counter, int]:
    """(person, channel index) → (receive instants, revoked after each), from the server's own
    landing files in receive order; the documented rule as a scan (see module docstring)."""
    changes = defaultdict(list)
    counts = Counter()
    out_of_order = 0
    for path in sorted(landing.glob("events-*.jsonl")):
        for line in path.open():
            e = json.loads(line)
            if e["event_type"] not in ("consent_change", "unsubscribe"):
                continue
            revokes = e["event_type"] == "unsubscribe" or e.get("granted") is not True
            key = (int(e["customer_id"][2:]), CHANNELS.index(e["channel"]))
            changes[key].append((epoch(e["received_at"]), epoch(e["ts"]), revokes, e["event_id"]))
            counts["revocations" if revokes else "grants"] += 1
    timelines = {}
    for key, events in changes.items():
        events.sort()
        instants, revoked_after = [], []
        bar_ts = best_grant_ts = float("-inf")
        seen_revocation, latest_ts = False, float("-inf")
        i = 0
        while i < len(events):
            j = i
            while j < len(events) and events[j][0] == events[i][0]:
                j += 1
            group = events[i:j]
            out_of_order += sum(ts < latest_ts for _, ts, _, _ in group)
            latest_ts = max(latest_ts, *(ts for _, ts, _, _ in group))
            revs = [ts for _, ts, r, _ in group if r]
            if revs:  # every grant received earlier loses; the bar: the latest revocation date
                seen_revocation = True
                bar_ts = max(bar_ts, *revs)
                best_grant_ts = float("-inf")
            grants = [ts for _, ts, r, _ in group if not r]
            if grants:
                best_grant_ts = max(best_grant_ts, *grants)
            instants.append(group[0][0])
            revoked_after.append(seen_revocation and not best_grant_ts > bar_ts)
            i = j
        timelines[key] = (instants, revoked_after)
    counts["out_of_order"] = out_of_order
    return timelines, counts, sum(len(v) for v in changes.values())


def states_during(timelines: dict, person: int, channel: int, start: float, end: float) -> set:
    """The revoked/not states the channel had while a request was in flight: its state for the
    changes received before ``start`` and after each change received before ``end``. (The
    server answered at one instant in between: a change stamped after the request was sent can
    still be applied before it is read.)"""
    line = timelines.get((person, channel))
    if line is None:
        return {False}
    instants, revoked_after = line
    k = bisect.bisect_left(instants, start)
    states = {k > 0 and revoked_after[k - 1]}
    while k < len(instants) and instants[k] < end:
        states.add(revoked_after[k])
        k += 1
    return states


def check(obs: Observed, timelines: dict, channel_of: list[int]) -> dict:
    """Violations: a message on a channel that was revoked for the whole time the request was in
    flight. Over-suppressed: suppressed for consent although granted for that whole time."""
    violations, over_suppressed, while_revoked, served_msgs, suppressed = 0, 0, 0, 0, 0
    examples = []
    for i in range(len(obs.person)):
        p, sent, received = obs.person[i], obs.sent[i], obs.received[i]
        served = obs.served[i]
        # the overlay's suppression of the policy's message (not a snapshot's own opt-out)
        supp = obs.suppressed[i] if obs.suppressed[i] == channel_of[p] else 0
        if served:
            served_msgs += 1
            if states_during(timelines, p, served - 1, sent, received) == {True}:
                violations += 1
                if len(examples) < 10:
                    examples.append({"customer": customer(p), "channel": CHANNELS[served - 1],
                                     "sent": iso(sent), "answered": iso(received)})
        if supp:
            suppressed += 1
            states = states_during(timelines, p, supp - 1, sent, received)
            if True in states:
                while_revoked += 1
            else:
                over_suppressed += 1
    return {"violations": violations, "violation_examples": examples,
            "served_with_message": served_msgs, "suppressed_by_consent": suppressed,
            "suppressed_while_revoked": while_revoked, "over_suppressed": over_suppressed}


# -------------------------------------------------------------------------------- the run

def start_server(work: Path, args: argparse.Namespace) -> tuple[subprocess.Popen, str, int]:
    env = {**os.environ, "TAILOR_HOME": str(REPO), "TAILOR_ENV": "local",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "TAILOR__PATHS__SERVING": str(work / "serving"),
           "TAILOR__PATHS__LANDING": str(work / "landing"),
           "TAILOR__PATHS__LAKEHOUSE": str(work / "lakehouse"),
           "TAILOR__PRIVACY__PSEUDONYM_KEY": KEY, "TAILOR__PRIVACY__PERSON_ID_LENGTH": str(LENGTH),
           "TAILOR__SERVING__API_KEYS__EVENTS": json.dumps([EVENTS_KEY]),
           "TAILOR__SERVING__API_KEYS__ADMIN": '["consent-soak-admin"]',
           "TAILOR__SERVING__OVERLAY__LOCAL_CONSENT_TTL_HOURS": str(args.ttl_hours),
           "TAILOR__INGEST__MAX_FUTURE_SKEW_SECONDS": str(args.max_skew),
           "TAILOR__SERVING__EVENTS__FSYNC": args.fsync}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tailor.cli import main; sys.exit(main())",
         "serve", "--port", "0"], cwd=REPO, env=env, text=True, stdout=subprocess.PIPE,
        stderr=open(work / "server.log", "w"), start_new_session=True)
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.kill()
        raise RuntimeError(f"server did not start: {line!r}; see {work / 'server.log'}")
    host, port = line.split("http://", 1)[1].split()[0].rsplit(":", 1)
    return proc, host, int(port)


def stop_server(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            return proc.wait()
    return proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=2000, help="persons in the snapshot (2000)")
    ap.add_argument("--decisions", type=int, default=1_000_000, help="stop after this many (10^6)")
    ap.add_argument("--max-seconds", type=float, default=900, help="stop after this long anyway")
    ap.add_argument("--batch", type=int, default=100, help="user ids per batch request (100)")
    ap.add_argument("--single-share", type=float, default=0.1,
                    help="share of decision requests that are single GETs (0.1)")
    ap.add_argument("--decision-connections", type=int, default=4)
    ap.add_argument("--consent-clients", type=int, default=16,
                    help="concurrent consent clients, each followed by a GET per change (16)")
    ap.add_argument("--pause-ms", type=float, default=20, help="max pause between changes")
    ap.add_argument("--skew-minutes", type=float, default=10, help="client clock skew, ± (10)")
    ap.add_argument("--stale-share", type=float, default=0.1,
                    help="changes dated further back than the TTL (0.1)")
    ap.add_argument("--future-share", type=float, default=0.05,
                    help="changes dated beyond the allowed skew: must be refused (0.05)")
    ap.add_argument("--max-skew", type=float, default=300, help="ingest.max_future_skew_seconds")
    ap.add_argument("--ttl-hours", type=float, default=168,
                    help="serving.overlay.local_consent_ttl_hours (168)")
    ap.add_argument("--fsync", default="always", choices=("always", "interval", "never"))
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    from tailor.serving.snapshot import build_snapshot, set_current
    from tests.support.synthetic import bulk_decisions

    work = Path(tempfile.mkdtemp(prefix="tailor-consent-soak-"))
    started = time.time()
    table = bulk_decisions(args.persons, "2026-10-15", KEY, LENGTH)
    info = build_snapshot(table, work / "serving", {"decisions_version": 1})
    set_current(work / "serving", info.snapshot_id)
    channel_of = [CHANNELS.index(c) + 1 if c else 0 for c in table.column("channel").to_pylist()]
    print(f"snapshot of {args.persons:,} persons ({sum(1 for c in channel_of if c):,} with a "
          f"message) in {time.time() - started:.1f}s; starting tailor serve", flush=True)
    proc, host, port = start_server(work, args)
    obs = Observed()
    try:
        elapsed = asyncio.run(load(args, host, port, channel_of, obs))
    finally:
        exit_code = stop_server(proc)
    timelines, counts, landed = consent_timelines(work / "landing" / "server")
    landed_ids = set()
    for path in (work / "landing" / "server").glob("events-*.jsonl"):
        landed_ids.update(json.loads(line)["event_id"] for line in path.open())
    lost = len(set(obs.acked_events) - landed_ids)
    result = check(obs, timelines, channel_of)
    summary = {
        "bench": "consent_soak", "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(), "loadavg_end": os.getloadavg()[0], "persons": args.persons,
        "served": len(obs.person), "elapsed_s": round(elapsed, 1),
        "decisions_per_s": round(len(obs.person) / max(elapsed, 1e-9)),
        "consent_requests": obs.consent_posts, "consent_events": landed,
        "grants": counts["grants"], "revocations": counts["revocations"],
        "out_of_order": counts["out_of_order"], "stale_accepted": obs.kinds["stale"],
        "skewed_accepted": obs.kinds["skewed"], "rejected_future": obs.rejected_future,
        "future_requests": obs.future_expected, "acked_events_lost": lost,
        **result, "http_status": dict(obs.status), "errors": obs.other_errors[:10],
        "server_exit_code": exit_code,
        "config": {k: v for k, v in vars(args).items() if k != "keep"}}
    summary["ok"] = (summary["violations"] == 0 and lost == 0 and not obs.other_errors
                     and obs.rejected_future - obs.rejected_edge == obs.future_expected
                     and exit_code == 0)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        summary["work_dir"] = str(work)
    rows = [("decisions served", summary["served"]), ("  with a message", result["served_with_message"]),
            ("  message suppressed by consent", result["suppressed_by_consent"]),
            ("consent requests (POST /v1/events)", obs.consent_posts),
            ("consent events received (landing files)", landed),
            ("  grants / revocations", f"{counts['grants']:,} / {counts['revocations']:,}"),
            ("  received out of event-time order", counts["out_of_order"]),
            ("  stale (older than the TTL)", obs.kinds["stale"]),
            ("  skewed client clock (±%g min)" % args.skew_minutes, obs.kinds["skewed"]),
            ("future-dated requests refused (400)", f"{obs.rejected_future:,}"),
            ("  of them beyond the limit / within 1 s of it",
             f"{obs.rejected_future - obs.rejected_edge:,} / {obs.rejected_edge:,}"),
            ("acknowledged events lost", lost),
            ("decisions served while revoked (violations)", result["violations"]),
            ("suppressed although granted throughout", result["over_suppressed"]),
            ("elapsed s / decisions per s", f"{elapsed:.0f} / {summary['decisions_per_s']:,}")]
    for name, value in rows:
        print(f"{name:46s} {value:>14,}" if isinstance(value, int) else f"{name:46s} {value:>14}")
    out = REPO / "bench" / "results" / "consent_soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

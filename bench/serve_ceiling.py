"""Lookup-server throughput against the bare ceiling on this machine, and the store engines.

    python bench/serve_ceiling.py --users 1000000 --seconds 10 --rounds 2   # needs `wrk`
    python bench/serve_ceiling.py --stores-only --users 1000000

* ``bare``: a uvloop + httptools server answering from a Python dict of the same 1M
  precomputed JSON bodies (the ceiling: no pseudonymisation, overlay, logging or metrics);
* ``tailor``: the real server (``tailor.serving.server``) on a published 1M-person snapshot with
  the decision log and a nearline overlay (5% of persons) on.

Each round runs wrk (2 threads, 32 connections, random users) against bare, then tailor, as
separate processes, so both see the same machine load; the best round of each is reported with
their ratio. Because other processes on a shared machine make requests/s swing by 3x between
rounds, each run also records the server's CPU time (/proc): requests per server CPU-second
(median over rounds) and its ratio, which is what the throughput ratio would be on an idle
machine where the server is CPU-bound. ``--stores-only`` times lookups in tkv / sqlite / LMDB (if installed) files of the
same values. Prints a summary and writes bench/results/serve_ceiling.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results"
KEY, LENGTH, DS = "bench-key", 20, "2026-10-15"
WRK_LUA = """
local n = {n}
math.randomseed({seed})
request = function()
  return wrk.format("GET", string.format("/v1/decisions/c-%07d", math.random(0, n - 1)))
end
"""


# ------------------------------------------------------------------------ the two servers

def run_bare(serving_dir: str, port_file: str) -> None:
    """The ceiling: dict customer id → full JSON body, uvloop + httptools, nothing else."""
    import asyncio

    import httptools
    import uvloop

    from tailor.serving.records import render
    from tailor.serving.snapshot import load_snapshot
    from tailor.serving.synthetic import customer_id

    snap = load_snapshot(serving_dir, verify=False)
    from tailor.serving.app import pseudonymiser

    pseudo = pseudonymiser(KEY, LENGTH)
    n = snap.manifest["row_count"]
    table = {}
    for i in range(n):
        cid = customer_id(i).encode()
        body, _ = render(snap.lookup(pseudo(cid)), snap.heads, snap.tails)
        table[cid] = b'{"user_id":"%b",%b' % (cid, body)
    snap.close()
    head = b"HTTP/1.1 200 OK\r\nServer: bare\r\nContent-Type: application/json\r\nContent-Length: "
    missing = b'{"error":"not_found"}'

    class Bare(asyncio.Protocol):
        def __init__(self):
            self.parser = httptools.HttpRequestParser(self)
            self.url = b""

        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError:
                self.transport.close()

        def on_url(self, url):
            self.url += url

        def on_message_complete(self):
            body = table.get(self.url[14:], missing)
            self.url = b""
            self.transport.write(b"%b%d\r\n\r\n%b" % (head, len(body), body))

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Bare, "127.0.0.1", 0, backlog=1024)
        Path(port_file).write_text(str(server.sockets[0].getsockname()[1]))
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()

    uvloop.run(main())


def run_tailor(serving_dir: str, port_file: str, landing_dir: str, overlay_uri: str) -> None:
    from tailor.serving.server import ServerSettings, run_forever

    settings = ServerSettings(serving_dir, KEY, LENGTH, port=0, landing_dir=landing_dir,
                              overlay_uri=overlay_uri, events_keys=("bench",))
    run_forever(settings, on_ready=lambda h, p, s: Path(port_file).write_text(str(p)))


# ------------------------------------------------------------------------------ measuring

def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start(role: str, work: Path, timeout: float = 600,
          cpus: str | None = None) -> tuple[subprocess.Popen, int]:
    port_file = work / f"{role}.port"
    port_file.unlink(missing_ok=True)
    args = [sys.executable, __file__, "--role", role, "--work", str(work)]
    if cpus:
        args = ["taskset", "-c", cpus, *args]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(work / f"{role}.log", "w"))
    deadline = time.monotonic() + timeout
    while not port_file.exists() or not port_file.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{role} server did not start; see {work / (role + '.log')}")
        time.sleep(0.2)
    port = int(port_file.read_text())
    with socket.create_connection(("127.0.0.1", port), timeout=10):
        pass
    return proc, port


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def parse_latency(text: str, label: str) -> float:
    m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]


def wrk(port: int, users: int, seconds: int, connections: int, work: Path,
        cpus: str | None = None) -> dict:
    script = work / "random_user.lua"
    script.write_text(WRK_LUA.format(n=users, seed=random.randrange(1 << 30)))
    pin = ["taskset", "-c", cpus] if cpus else []
    out = subprocess.run([*pin, "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-s", str(script), f"http://127.0.0.1:{port}"],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock_err = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": parse_latency(out, "50%"), "p99_ms": parse_latency(out, "99%"),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sock_err.group(1) if sock_err else None}


def publish(users: int, work: Path) -> dict:
    import pyarrow as pa
    from deltalake import write_deltalake

    from tailor.serving.snapshot import build_snapshot, set_current
    from tailor.serving.synthetic import bulk_decisions

    t0 = time.perf_counter()
    table = bulk_decisions(users, DS, KEY, LENGTH)
    generated = time.perf_counter() - t0
    cpu0, t0 = time.process_time(), time.perf_counter()
    info = build_snapshot(table, work / "serving", {"decisions_version": 1})
    build = {"wall_seconds": round(time.perf_counter() - t0, 2),
             "cpu_seconds": round(time.process_time() - cpu0, 2),
             "compile_seconds": info.manifest["compile_seconds"],
             "bytes": info.manifest["bytes"], "rows": info.row_count}
    t0 = time.perf_counter()
    set_current(work / "serving", info.snapshot_id)
    build["verify_seconds"] = round(time.perf_counter() - t0, 2)
    # overlay: 5% of persons with a revoked channel, a message today or a purchase
    rng = random.Random(3)
    people = rng.sample(range(users), users // 20)
    pids = table["person_id"].to_pylist()
    now = time.time()
    import datetime as dt

    rows = {"person_id": [pids[i] for i in people],
            "revoked_channels": [["email"] if i % 3 == 0 else [] for i in people],
            "messages_today": [1 if i % 3 == 1 else 0 for i in people],
            "bought_items": [["item-00001"] if i % 3 == 2 else [] for i in people],
            "updated_at": [dt.datetime.fromtimestamp(now, dt.timezone.utc)] * len(people)}
    write_deltalake(str(work / "lakehouse" / "gold" / "overlay"), pa.table(rows).cast(pa.schema([
        ("person_id", pa.string()), ("revoked_channels", pa.list_(pa.string())),
        ("messages_today", pa.int32()), ("bought_items", pa.list_(pa.string())),
        ("updated_at", pa.timestamp("us", tz="UTC"))])))
    return {"generate_seconds": round(generated, 2), **build}


def stores(users: int, work: Path) -> dict:
    """Per-lookup time of each engine on the same keys / values (best of 5 passes)."""
    import pyarrow as pa

    from tailor.serving import store
    from tailor.serving.app import pseudonymiser
    from tailor.serving.compile import compile_values
    from tailor.serving.synthetic import bulk_decisions, customer_id

    table = bulk_decisions(users, DS, KEY, LENGTH)
    values = compile_values(table, "s", 1, [], [])
    keys = table["person_id"].cast(pa.binary())
    pseudo = pseudonymiser(KEY, LENGTH)
    sample = [pseudo(customer_id(random.randrange(users)).encode()) for _ in range(100_000)]
    out = {}
    engines = {"tkv": store.write_tkv, "sqlite": store.write_sqlite}
    try:
        import lmdb  # noqa: F401  (measured only; not an engine)

        engines["lmdb"] = _write_lmdb
    except ImportError:
        pass
    dict_table = dict(zip(keys.to_pylist(), values.to_pylist()))
    for name, write in engines.items():
        path = work / f"lookup.{name}"
        t0 = time.perf_counter()
        write(path, keys, values)
        build = time.perf_counter() - t0
        get = (_lmdb_reader(path) if name == "lmdb" else store.ENGINES[name][2](path).get)
        assert get(sample[0]) == dict_table[sample[0]]
        best = min(_time_gets(get, sample) for _ in range(5))
        out[name] = {"build_seconds": round(build, 2), "bytes": path.stat().st_size,
                     "lookup_us": round(best, 3)}
    out["dict"] = {"lookup_us": round(min(_time_gets(dict_table.get, sample) for _ in range(5)), 3)}
    return out


def _time_gets(get, sample) -> float:
    t0 = time.perf_counter()
    for key in sample:
        get(key)
    return (time.perf_counter() - t0) / len(sample) * 1e6


def _write_lmdb(path, keys, values) -> None:
    import lmdb

    env = lmdb.open(str(path), subdir=False, map_size=1 << 36, sync=False, lock=False)
    with env.begin(write=True) as txn:
        txn.cursor().putmulti(sorted(zip(keys.to_pylist(), values.to_pylist())), append=True)
    env.sync(True)
    env.close()


def _lmdb_reader(path):
    import lmdb

    env = lmdb.open(str(path), subdir=False, readonly=True, lock=False)
    return env.begin().get


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--stores-only", action="store_true")
    ap.add_argument("--pin", action="store_true",
                    help="server on CPU 0, wrk on CPU 1 (steadier latency on a shared box)")
    ap.add_argument("--role", choices=("bare", "tailor"), help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role:
        work = Path(args.work)
        if args.role == "bare":
            run_bare(str(work / "serving"), str(work / "bare.port"))
        else:
            run_tailor(str(work / "serving"), str(work / "tailor.port"), str(work / "landing"),
                       str(work / "lakehouse" / "gold" / "overlay"))
        return
    work = Path(tempfile.mkdtemp(prefix="tailor-serve-bench-"))
    result: dict = {"users": args.users, "pinned": args.pin,
                    "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}}
    try:
        if args.stores_only:
            result["stores"] = stores(args.users, work)
            print(json.dumps(result, indent=2))
            return
        if not shutil.which("wrk"):
            sys.exit("wrk not found: apt-get install -y wrk")
        result["publish"] = publish(args.users, work)
        print("publish", result["publish"], flush=True)
        runs: dict[str, list] = {"bare": [], "tailor": []}
        rss: dict[str, float] = {}
        for _ in range(args.rounds):
            for role in ("bare", "tailor"):
                proc, port = start(role, work, cpus="0" if args.pin else None)
                try:
                    wrk_cpus = "1" if args.pin else None
                    wrk(port, args.users, 2, args.connections, work, wrk_cpus)  # warm the pages
                    cpu0 = cpu_seconds(proc.pid)
                    r = wrk(port, args.users, args.seconds, args.connections, work, wrk_cpus)
                    cpu = cpu_seconds(proc.pid) - cpu0
                    r["server_cpu_seconds"] = round(cpu, 2)
                    # requests per CPU-second of the server: robust to other load on the box
                    r["requests_per_cpu_second"] = round(r["rps"] * args.seconds / cpu, 1)
                    rss[role] = max(rss.get(role, 0), rss_mb(proc.pid))
                finally:
                    stop(proc)
                r["load"] = os.getloadavg()[0]
                runs[role].append(r)
                print(role, r, flush=True)
        best = {role: max(rs, key=lambda r: r["rps"]) for role, rs in runs.items()}
        eff = {role: sorted(r["requests_per_cpu_second"] for r in rs)[len(rs) // 2]
               for role, rs in runs.items()}  # median over rounds
        result.update(runs=runs, best=best, rss_mb=rss,
                      ratio=round(best["tailor"]["rps"] / best["bare"]["rps"], 3),
                      requests_per_cpu_second=eff,
                      cpu_ratio=round(eff["tailor"] / eff["bare"], 3))
        logs = list((work / "landing").glob("decisions-*.jsonl"))
        result["decision_log_files"] = len(logs)
        print(json.dumps({k: result[k] for k in ("best", "ratio", "requests_per_cpu_second",
                                                 "cpu_ratio", "rss_mb")}, indent=2))
    finally:
        result["max_rss_bench_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = "serve_stores.json" if args.stores_only else "serve_ceiling.json"
        (RESULTS / name).write_text(json.dumps(result, indent=2, default=str))
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

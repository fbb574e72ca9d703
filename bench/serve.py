"""Serving benchmark: Tailor's lookup server vs. Feast's feature server vs. a bare ceiling.

    .venv/bin/python bench/serve.py                        # 1M users, 3 rounds of 20 s
    .venv/bin/python bench/serve.py --users 100000 --duration 5 --skip-feast   # quick look
    .venv/bin/python bench/serve.py --lookup-only --users 200000   # record checksum cost only

1. Generates ``--users`` synthetic gold.decisions rows (``tests.support.synthetic``; customer
   ids ``c-0000000`` …, deterministic) and publishes them with Tailor's own publish path
   (``build_snapshot`` + ``set_current``, which verifies checksums) into a temp serving dir,
   timing the build and measuring the snapshot.
2. Exports the same records (customer id → the decision JSON Tailor serves) to one Parquet file:
   the ceiling server loads it into a dict, Feast materialises it into its SQLite online store
   (in its own virtualenv, bench/.venvs/feast, created on first use by bench/feast_env.py).
3. Runs the servers one at a time — never concurrently — each on 127.0.0.1 in its own process
   group: Tailor through ``tailor serve`` with the decision log on and a nearline overlay table
   naming ``--overlay-share`` of the persons (all its paths in the temp dir), the ceiling
   (bench/ceiling_server.py) and ``feast serve``; all under the same load generator
   (bench/loadgen.py: wrk, ``--connections`` connections, random ids with ``--unknown-share``
   unknown, a warm-up then a fixed ``--duration``), and records each server's RSS after its
   run; every server is stopped by this script, also on errors and Ctrl-C.
4. Prints a table and the ratios, writes ``bench/results/serve.json`` and prints the same
   object as the last line of its output.

Every run also measures, in process, what the per-record checksum costs a lookup
(``record_check``: µs per lookup of random known persons through the snapshot's lookup file
with and without the crc32 check, best of a few rounds); ``--lookup-only`` measures just that
(no wrk, no servers) and writes ``bench/results/serve_lookup.json``.

Latency is measured by wrk on the same 2 cores the server runs on (no pinning unless
``--pin``), so it includes the load generator's own scheduling noise; load average at start
and end is recorded because other processes on the machine skew every figure.
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import loadgen  # noqa: E402  (bench/loadgen.py)

DS = "2026-10-15"
DEFAULT_OUT = str(BENCH / "results" / "serve.json")
FEAST_FEATURE = "tailor_decisions:decision"
TARGETS = {  # from the issue; reported, never asserted
    "tailor_vs_ceiling_rps": (">=", 0.40),
    "tailor_p99_ms": ("<=", 2.0),
    "tailor_vs_feast_rps": (">=", 25.0),
    "tailor_rss_mb": ("<=", 1024.0),
    "build_s": ("<=", 60.0),
}


def log(msg: str) -> None:
    print(f"[serve-bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------ process handling

class Server:
    """A server subprocess in its own process group; ``stop()`` ends the whole group."""

    started: list["Server"] = []

    def __init__(self, name: str, cmd: list[str], log_path: Path, env: dict | None = None,
                 cwd: str | None = None, cpu_list: str | None = None) -> None:
        self.name, self.log_path = name, log_path
        if cpu_list:
            cmd = ["taskset", "-c", cpu_list, *cmd]
        self.cmd = cmd
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                     start_new_session=True)
        self.pgid = self.proc.pid  # start_new_session: the child leads its own group
        Server.started.append(self)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_line(self, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.output().splitlines():
                if needle in line:
                    return line
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}) before it was "
                                   f"ready:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready within {timeout:.0f}s:\n{self.output()[-3000:]}")

    def rss_mb(self) -> dict:
        """RSS of every live process of the group: total and the largest one (MiB)."""
        sizes = []
        for pid in _group_pids(self.pgid):
            try:
                with open(f"/proc/{pid}/status") as fh:
                    for line in fh:
                        if line.startswith("VmRSS:"):
                            sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return {"total": round(sum(sizes), 1), "largest": round(max(sizes, default=0), 1),
                "processes": len(sizes)}

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        # whatever of the group is still alive (e.g. gunicorn workers) gets SIGKILL
        if _group_pids(self.pgid):
            try:
                os.killpg(self.pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(5)
        self._log.close()
        if self in Server.started:
            Server.started.remove(self)

    @classmethod
    def stop_all(cls) -> None:
        for server in list(cls.started):
            try:
                server.stop()
            except Exception as exc:  # noqa: BLE001 - keep stopping the others
                log(f"could not stop {server.name}: {exc}")


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state, fields[2] the process group; zombies hold no memory
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_call(port: int, method: str, path: str, body: bytes | None = None,
              timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_http(port: int, path: str, timeout: float, server: Server) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited ({server.proc.returncode}):\n"
                               f"{server.output()[-3000:]}")
        try:
            if http_call(port, "GET", path, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{server.name} did not answer {path} within {timeout:.0f}s:\n"
                       f"{server.output()[-3000:]}")


# ------------------------------------------------------------------------------ the data

def generate(users: int, key: str, length: int):
    """gold.decisions-shaped Arrow table, row ``i`` = customer ``c-<i:07d>`` (deterministic),
    built column-wise by ``tests/support/synthetic.py`` from the table catalog."""
    from tests.support.synthetic import bulk_decisions

    return bulk_decisions(users, DS, key, length), "synthetic.bulk_decisions"


FEAST_WINDOW_ROWS = 100_000  # rows per materialisation window (bounds Feast's memory)
TS_BASE = datetime(2026, 10, 15, 3, 0, tzinfo=timezone.utc)


def export_records(info, table, out: Path) -> dict:
    """The published decisions, keyed by customer id, as Parquet (ceiling + Feast read it).

    Each ``decision`` is the response record of the contract (``records.decision_record`` with
    the snapshot's id and version) as compact JSON: what ``GET /v1/decisions/{id}`` returns
    minus ``user_id`` and any request-time edit. Built from the contract rather than from the
    lookup file so this stays independent of the store's binary layout. Written batch by batch;
    row ``i`` gets ``event_timestamp`` = base + ``i // FEAST_WINDOW_ROWS`` minutes, so Feast can
    materialise the file in windows of that many rows.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tailor.serving.records import decision_record

    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    version = info.manifest.get("decisions_version")
    sid = info.snapshot_id
    used = ["ds", "policy_version", "items", "item_scores", "action_id", "channel", "send_hour",
            "offer", "discount", "propensity", "holdout", "explanation", "guardrails",
            "model_versions", "feature_versions", "data_versions"]
    schema = pa.schema([("user_id", pa.string()), ("decision", pa.string()),
                        ("event_timestamp", pa.timestamp("us", tz="UTC"))])
    n, body_bytes, probe = table.num_rows, 0, None
    row = 0
    with pq.ParquetWriter(out, schema) as writer:
        for batch in table.select(used).to_batches(max_chunksize=FEAST_WINDOW_ROWS):
            decisions = [dumps(decision_record(r, sid, version)) for r in batch.to_pylist()]
            idx = range(row, row + len(decisions))
            if probe is None:
                probe = decisions[0]
            body_bytes += sum(map(len, map(str.encode, decisions)))
            writer.write_table(pa.table({
                "user_id": pa.array([loadgen.customer_id(i) for i in idx], pa.string()),
                "decision": pa.array(decisions, pa.string()),
                "event_timestamp": pa.array(
                    [TS_BASE + timedelta(minutes=i // FEAST_WINDOW_ROWS) for i in idx],
                    pa.timestamp("us", tz="UTC")),
            }, schema=schema))
            row += len(decisions)
    body_bytes += n * len('"user_id":"c-0000000",')
    fallback = dumps({"user_id": "u-0000000", **info.manifest["fallback"]}).encode()
    return {"mean_body_bytes": round(body_bytes / n, 1), "fallback_body": fallback,
            "probe_known_body": b'{"user_id":"c-0000000",' + probe[1:].encode(),
            "probe_known_decision": probe, "parquet_bytes": out.stat().st_size,
            "feast_windows": -(-n // FEAST_WINDOW_ROWS)}


def release_memory() -> None:
    """Hand freed heap back to the OS (Arrow's pool and glibc), so later steps have room."""
    import ctypes

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def dir_bytes(path: str | Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def write_overlay(lakehouse: Path, table, share: float, seed: int = 3) -> dict:
    """A nearline overlay table (gold.overlay) naming ``share`` of the persons.

    A third each get a revoked email consent, a message already sent today (2 = the default
    daily cap) or a just-bought item: the request-time edits the server applies. Person 0
    (``c-0000000``, the correctness probe) is never in it.
    """
    import numpy as np
    import pyarrow as pa
    from deltalake import write_deltalake

    try:
        from tailor.lakehouse.tables import table_uri
        uri = table_uri(str(lakehouse), "gold.overlay")
    except ImportError:
        uri = str(lakehouse / "gold" / "overlay")
    n = table.num_rows
    count = int(n * share)
    rng = np.random.default_rng(seed)
    picked = np.sort(rng.choice(np.arange(1, n), size=min(count, n - 1), replace=False))
    kinds = picked % 3
    first_item = table["items"].combine_chunks().flatten()[0].as_py() if n else "item"
    now = datetime.now(timezone.utc)
    overlay = pa.table({
        "person_id": table["person_id"].take(pa.array(picked)),
        "revoked_channels": pa.array([["email"] if k == 0 else [] for k in kinds],
                                     pa.list_(pa.string())),
        "messages_today": pa.array(np.where(kinds == 1, 2, 0), pa.int32()),
        "bought_items": pa.array([[first_item] if k == 2 else [] for k in kinds],
                                 pa.list_(pa.string())),
        "updated_at": pa.array([now] * len(picked), pa.timestamp("us", tz="UTC")),
    })
    write_deltalake(uri, overlay)
    return {"uri": uri, "persons": len(picked), "share": share}


def count_lines(root: Path, pattern: str) -> dict:
    files = sorted(p for p in root.rglob(pattern) if p.is_file()) if root.exists() else []
    lines = 0
    for f in files:
        with open(f, "rb") as fh:
            lines += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return {"files": len(files), "lines": lines, "bytes": sum(f.stat().st_size for f in files)}


def scrape_metrics(port: int) -> dict:
    """``tailor_*_total`` counters from GET /metrics (Prometheus text), if the server has it."""
    try:
        status, body = http_call(port, "GET", "/metrics")
    except OSError:
        return {}
    if status != 200:
        return {}
    out = {}
    for line in body.decode(errors="replace").splitlines():
        if line.startswith("tailor_") and "_total" in line.split(" ", 1)[0]:
            name, _, value = line.rpartition(" ")
            try:
                out[name] = float(value)
            except ValueError:
                pass
    return out


# --------------------------------------------------------------------- the Tailor config

def tailor_knobs() -> dict:
    """The lookup server's configuration in this run (decision log, overlay, limits)."""
    from tailor.config import get_config

    return {"serving_config": get_config().serving.model_dump()}


# ----------------------------------------------------------------------------- the runs

def load_server(name: str, url: str, script: Path, args, cpu_wrk: str | None) -> dict:
    if args.warmup > 0:
        loadgen.run_wrk(url, script, duration_s=args.warmup, connections=args.connections,
                        threads=args.threads, cpu_list=cpu_wrk)
    res = loadgen.run_wrk(url, script, duration_s=args.duration, connections=args.connections,
                          threads=args.threads, cpu_list=cpu_wrk)
    log(f"{name}: {res.rps:,.0f} req/s  p50 {res.p50_ms:.3f} ms  p99 {res.p99_ms:.3f} ms  "
        f"errors {res.errors} non-2xx {res.non_2xx}")
    return res.summary()


def run_ceiling(work: Path, records: Path, fallback: Path, script: Path, args, pins,
                expected: dict) -> dict:
    srv = Server("ceiling", [sys.executable, str(BENCH / "ceiling_server.py"), "--records",
                             str(records), "--fallback", str(fallback), "--port", "0"],
                 work / "ceiling.log", cpu_list=pins[0])
    try:
        t0 = time.perf_counter()
        line = srv.wait_for_line("READY ", timeout=600)
        load_s = time.perf_counter() - t0
        port = int(line.split()[2])
        check_ceiling(port, expected)
        rss_idle = srv.rss_mb()
        run = load_server("ceiling", f"http://127.0.0.1:{port}", script, args, pins[1])
        run.update(port=port, startup_s=round(load_s, 2), rss_idle_mb=rss_idle,
                   rss_mb=srv.rss_mb())
        return run
    finally:
        srv.stop()


def check_ceiling(port: int, expected: dict) -> None:
    status, body = http_call(port, "GET", "/v1/decisions/c-0000000")
    if status != 200 or body != expected["probe_known_body"]:
        raise RuntimeError(f"ceiling answered {status} {body[:200]!r} for c-0000000")
    status, body = http_call(port, "GET", "/v1/decisions/u-0000000")
    if status != 200 or json.loads(body).get("known") is not False:
        raise RuntimeError(f"ceiling answered {status} {body[:200]!r} for u-0000000")


def run_tailor(work: Path, serving_dir: Path, script: Path, args, pins, expected: dict,
               env_extra: dict) -> dict:
    env = {**os.environ, "TAILOR_HOME": str(ROOT), **env_extra}
    cmd = [sys.executable, "-m", "tailor.cli", "serve", "--snapshot-dir", str(serving_dir),
           "--host", "127.0.0.1", "--port", "0", *args.tailor_arg]
    srv = Server("tailor", cmd, work / "tailor.log", env=env, cwd=str(ROOT), cpu_list=pins[0])
    try:
        t0 = time.perf_counter()
        line = srv.wait_for_line(" on http://", timeout=600)
        startup_s = time.perf_counter() - t0
        port = int(line.split(" on http://", 1)[1].split()[0].rsplit(":", 1)[1])
        probe = check_tailor(port, expected)
        rss_idle = srv.rss_mb()
        run = load_server("tailor", f"http://127.0.0.1:{port}", script, args, pins[1])
        run.update(port=port, startup_s=round(startup_s, 2), rss_idle_mb=rss_idle,
                   rss_mb=srv.rss_mb(), probe=probe, command=cmd[1:])
        if srv.proc.poll() is not None:
            raise RuntimeError(f"tailor server died during the run:\n{srv.output()[-3000:]}")
        run["metrics"] = scrape_metrics(port)
        run["overlay_log"] = [ln.split("tailor.serving: ", 1)[-1] for ln in
                              srv.output().splitlines() if "overlay version" in ln][-1:]
    finally:
        srv.stop()
    # the decision log is flushed and handed over on shutdown; count what this run wrote
    landing_dir = Path(env_extra["TAILOR__PATHS__LANDING"])
    run["decision_log"] = count_lines(landing_dir, "decisions-*.jsonl")
    for f in landing_dir.rglob("decisions-*.jsonl"):
        f.unlink()  # the next round counts its own
    return run


def check_tailor(port: int, expected: dict) -> dict:
    status, body_known = http_call(port, "GET", "/v1/decisions/c-0000000")
    known = json.loads(body_known)
    if status != 200 or known.get("user_id") != "c-0000000" or known.get("known") is not True:
        raise RuntimeError(f"tailor answered {status} {body_known[:300]!r} for c-0000000")
    status, body = http_call(port, "GET", "/v1/decisions/u-0000000")
    unknown = json.loads(body)
    if status != 200 or unknown.get("known") is not False:
        raise RuntimeError(f"tailor answered {status} {body[:300]!r} for unknown u-0000000")
    published = json.loads(expected["probe_known_body"])
    differing = sorted(k for k in set(known) | set(published) if known.get(k) != published.get(k))
    if differing:
        log(f"note: tailor's body for c-0000000 differs from the published record in "
            f"{differing}; ceiling and Feast serve the published record")
    return {"known_body_matches_published": not differing, "differing_keys": differing,
            "tailor_probe_body_bytes": len(body_known),
            "published_probe_body_bytes": len(expected["probe_known_body"])}


def setup_feast(work: Path, records: Path, windows: int, min_free_gb: float
                ) -> tuple[str, Path, dict]:
    """apply + windowed materialise in Feast's venv, watched: if the machine's available
    memory falls under ``min_free_gb`` the setup is killed (the machine is shared)."""
    from feast_env import feast_python

    log("preparing Feast's virtualenv (bench/feast_env.py; first use installs it)")
    python = feast_python()
    repo = work / "feast_repo"
    env = {**os.environ, "TAILOR_BENCH_SOURCE": str(records)}
    cmd = [python, str(BENCH / "feast_serving" / "setup_repo.py"), "--repo", str(repo),
           "--source", str(records), "--start", TS_BASE.strftime("%Y-%m-%dT%H:%M:%S"),
           "--windows", str(windows), "--window-seconds", "60",
           "--write-batch", str(FEAST_WINDOW_ROWS // 2)]
    srv = Server("feast-setup", cmd, work / "feast_setup.log", env=env)
    t0 = time.perf_counter()
    low_mem = None
    try:
        while srv.proc.poll() is None:
            avail = _mem_available_gb()
            if avail is not None and avail < min_free_gb:
                low_mem = avail
                break
            if time.perf_counter() - t0 > 3 * 3600:
                raise TimeoutError("Feast setup took more than 3 hours")
            time.sleep(0.5)
    finally:
        srv.stop()
    wall = time.perf_counter() - t0
    out = srv.output()
    if low_mem is not None:
        raise RuntimeError(f"stopped Feast's materialisation: the machine had only "
                           f"{low_mem:.1f} GB available (< --min-free-gb {min_free_gb}); "
                           f"rerun when it is quieter, or with fewer --users")
    line = next((ln for ln in out.splitlines() if ln.startswith("FEASTJSON ")), None)
    if srv.proc.returncode != 0 or line is None:
        raise RuntimeError(f"Feast setup failed ({srv.proc.returncode}):\n{out[-3000:]}")
    stats = json.loads(line[len("FEASTJSON "):])
    stats["setup_wall_s"] = round(wall, 2)
    return python, repo, stats


def run_feast(work: Path, python: str, repo: Path, records: Path, script: Path, args, pins,
              expected: dict) -> dict:
    port = free_port()
    feast_bin = str(Path(python).parent / "feast")
    cmd = [feast_bin, "serve", "-h", "127.0.0.1", "-p", str(port), "--no-access-log",
           "--workers", str(args.feast_workers), "--max-requests", "0"]
    env = {**os.environ, "TAILOR_BENCH_SOURCE": str(records)}
    srv = Server("feast", cmd, work / "feast_serve.log", env=env, cwd=str(repo),
                 cpu_list=pins[0])
    try:
        t0 = time.perf_counter()
        wait_http(port, "/health", 300, srv)
        startup_s = time.perf_counter() - t0
        body = json.dumps({"features": [FEAST_FEATURE],
                           "entities": {"user_id": ["c-0000000", "u-0000000"]}}).encode()
        status, got = http_call(port, "POST", "/get-online-features", body)
        values = json.loads(got)["results"][-1]["values"] if status == 200 else None
        if values is None or values[0] != expected["probe_known_decision"] or values[1] is not None:
            raise RuntimeError(f"feast answered {status} {got[:300]!r}")
        rss_idle = srv.rss_mb()
        run = load_server("feast", f"http://127.0.0.1:{port}", script, args, pins[1])
        run.update(port=port, startup_s=round(startup_s, 2), rss_idle_mb=rss_idle,
                   rss_mb=srv.rss_mb(), command=[Path(feast_bin).name, *cmd[1:]])
        return run
    finally:
        srv.stop()


# ------------------------------------------------------------------------------ reporting

def lookup_cost(info, table, lookups: int = 200_000, rounds: int = 5, seed: int = 7) -> dict:
    """µs per lookup of random known persons in the snapshot's lookup file, with and without
    the per-record checksum (store.TkvReader ``verify_records``); best of ``rounds`` each,
    alternating, so both see the same machine."""
    import random

    from tailor.serving.store import TkvReader

    if info.manifest["store"] != "tkv":
        return {"skipped": f"store {info.manifest['store']} (measured for tkv only)"}
    path = Path(info.path, info.manifest["lookup_file"])
    ids = table["person_id"].to_pylist()
    rng = random.Random(seed)
    keys = [ids[rng.randrange(len(ids))].encode() for _ in range(lookups)]
    readers = {"checked": TkvReader(path), "unchecked": TkvReader(path, verify_records=False)}
    best = dict.fromkeys(readers, float("inf"))
    try:
        value_bytes = sum(len(readers["checked"].get(k)) for k in keys[:10_000]) / min(
            lookups, 10_000)
        for _ in range(rounds):
            for name, reader in readers.items():
                get = reader.get
                t0 = time.process_time()  # CPU time: steadier than wall time on a shared box
                for k in keys:
                    get(k)
                best[name] = min(best[name], time.process_time() - t0)
    finally:
        for reader in readers.values():
            reader.close()
    checked, unchecked = (best[n] / lookups * 1e6 for n in ("checked", "unchecked"))
    return {"us_per_lookup_checked": round(checked, 3),
            "us_per_lookup_unchecked": round(unchecked, 3),
            "check_us": round(checked - unchecked, 3),
            "check_share_of_lookup": round((checked - unchecked) / unchecked, 3),
            "mean_value_bytes": round(value_bytes, 1), "lookups": lookups, "rounds": rounds,
            "method": "in-process TkvReader.get over random known ids, CPU time, best of "
                      "rounds"}


def lookup_only(args) -> int:
    """``--lookup-only``: build the snapshot, measure ``lookup_cost``, write the result."""
    from tailor.config import get_config
    from tailor.serving.snapshot import build_snapshot

    cfg = get_config()
    work = Path(tempfile.mkdtemp(prefix="tailor-bench-lookup-", dir=args.workdir))
    try:
        log(f"generating {args.users:,} synthetic decision rows in {work}")
        table, _ = generate(args.users, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)
        info = build_snapshot(table, work / "serving", {"decisions_version": 1, "ds": DS})
        log("measuring lookups with and without the record checksum")
        res = {"users": args.users, "record_check": lookup_cost(info, table),
               "load_avg": [round(x, 2) for x in os.getloadavg()],
               "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "python": platform.python_version()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out if args.out != DEFAULT_OUT else BENCH / "results" / "serve_lookup.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res, separators=(",", ":")))
    return 0


def fmt(v, spec=",.0f", dash="—") -> str:
    return dash if v is None else format(v, spec)


def report(res: dict) -> None:
    rows = [("tailor", res.get("tailor"), f"build {res['build_s']:.1f} s"),
            ("ceiling", res.get("ceiling"), f"dict load {res['ceiling']['startup_s']:.1f} s"
             if res.get("ceiling") else ""),
            ("feast", (res.get("feast") or {}).get("run"),
             f"materialise {res['feast_materialize_s']:.1f} s"
             if res.get("feast_materialize_s") is not None else "skipped")]
    print()
    print(f"serving benchmark — {res['users']:,} users, {res['connections']} connections, "
          f"{res['duration_s']} s per server, {res['unknown_share']:.0%} unknown ids, "
          f"load avg {res['load_avg_start'][0]:.2f} → {res['load_avg_end'][0]:.2f}")
    print(f"{'server':<8} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} "
          f"{'RSS MB':>8}  build / load")
    for name, run, extra in rows:
        if not run:
            print(f"{name:<8} {'—':>10} {'—':>8} {'—':>8} {'—':>9} {'—':>8}  {extra}")
            continue
        print(f"{name:<8} {run['rps']:>10,.0f} {run['p50_ms']:>8.3f} {run['p99_ms']:>8.3f} "
              f"{run['p999_ms']:>9.3f} {run['rss_mb']['total']:>8,.0f}  {extra}")
    print(f"snapshot: {res['snapshot_bytes'] / 2**20:,.0f} MiB on disk, mean response "
          f"{res['mean_body_bytes']:.0f} B; synthetic rows generated in {res['generate_s']:.1f} s")
    print(f"tailor / ceiling: {fmt(res['tailor_vs_ceiling_rps'], '.2f')}   "
          f"tailor / feast: {fmt(res['tailor_vs_feast_rps'], ',.1f')}×")
    print("targets (issue; informational):")
    for name, t in res["targets"].items():
        mark = "n/a" if t["met"] is None else ("met" if t["met"] else "MISSED")
        print(f"  {name:<24} {fmt(t['value'], ',.3f'):>10} {t['op']} {t['target']:<8} {mark}")
    for note in res["notes"]:
        print(f"note: {note}")


def ratio(a, b):
    return round(a / b, 4) if a is not None and b else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--users", type=int, default=1_000_000)
    p.add_argument("--duration", type=float, default=20.0, help="seconds of load per server")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load first")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--unknown-share", type=float, default=0.05)
    p.add_argument("--rounds", type=int, default=3,
                   help="alternate ceiling and tailor this many times and report the round "
                        "with the median tailor/ceiling ratio (default: %(default)s; the "
                        "machine is shared, one round can be unlucky)")
    p.add_argument("--overlay-share", type=float, default=0.05,
                   help="share of persons in the nearline overlay table Tailor serves with")
    p.add_argument("--skip-feast", action="store_true")
    p.add_argument("--feast-workers", type=int, default=1,
                   help="feast serve --workers (default 1: one process, like the others)")
    p.add_argument("--pin", action="store_true",
                   help="pin every server to CPU 0 and wrk to CPU 1 (default: all share both)")
    p.add_argument("--tailor-arg", action="append", default=[], metavar="ARG",
                   help="extra `tailor serve` argument (repeatable), e.g. "
                        "--tailor-arg=--reload-interval=5")
    p.add_argument("--tailor-env", action="append", default=[], metavar="KEY=VALUE",
                   help="extra environment for the Tailor server (repeatable), e.g. "
                        "TAILOR__SERVING__DECISION_LOG__ENABLED=false to measure without the "
                        "decision log")
    p.add_argument("--min-free-gb", type=float, default=1.5,
                   help="kill Feast's materialisation if the machine's available memory "
                        "drops below this (default: %(default)s)")
    p.add_argument("--ignore-memory-check", action="store_true",
                   help="start even if MemAvailable looks too small for --users")
    p.add_argument("--workdir", help="parent of the temp dir (default: $TMPDIR)")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (snapshot, logs)")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--lookup-only", action="store_true",
                   help="only measure the per-record checksum's cost per lookup, in process "
                        "(no wrk, no servers; writes bench/results/serve_lookup.json)")
    args = p.parse_args(argv)
    if args.lookup_only:
        return lookup_only(args)
    if not loadgen.wrk_available():
        p.error("wrk is not installed: apt-get update && apt-get install -y wrk")
    if not 0 < args.users <= 10_000_000:
        p.error("--users must be in 1..10,000,000")
    if args.rounds < 1 or args.duration < 1:
        p.error("--rounds and --duration must be at least 1")
    if args.pin and (os.cpu_count() or 1) < 2:
        p.error("--pin needs at least 2 CPUs")
    pins = ("0", "1") if args.pin else (None, None)
    need_gb = args.users * 6 / 1e6  # rough peak (GB) of this run plus Feast, see README
    avail_gb = _mem_available_gb()
    if avail_gb is not None and avail_gb < need_gb and not args.ignore_memory_check:
        p.error(f"only {avail_gb:.1f} GB of memory available, this run may need ~{need_gb:.0f} GB "
                f"(a shared machine: wait, shrink --users, or pass --ignore-memory-check)")

    # Ctrl-C / SIGTERM: unwind through the finally blocks that stop the servers
    def _terminate(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, _terminate)

    from tailor.config import get_config
    from tailor.serving.snapshot import build_snapshot, set_current

    started_at = datetime.now(timezone.utc)
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="tailor-bench-serve-", dir=args.workdir))
    notes: list[str] = []
    res: dict = {}
    try:
        cfg = get_config()
        key, length = cfg.privacy.pseudonym_key, cfg.privacy.person_id_length
        knobs = tailor_knobs()
        # everything the server reads or writes lives in the temp dir
        env_extra = {"TAILOR__PATHS__LANDING": str(work / "landing"),
                     "TAILOR__PATHS__LAKEHOUSE": str(work / "lakehouse"),
                     "TAILOR__PATHS__RUNS": str(work / "runs"),
                     "TAILOR__PATHS__SERVING": str(work / "serving")}
        env_extra["TAILOR__SERVING__DECISION_LOG__ENABLED"] = "true"
        env_extra.update(kv.split("=", 1) for kv in args.tailor_env)

        log(f"generating {args.users:,} synthetic decision rows in {work}")
        t0 = time.perf_counter()
        table, generator = generate(args.users, key, length)
        generate_s = time.perf_counter() - t0

        log("publishing: build_snapshot + set_current (verifies checksums)")
        serving_dir = work / "serving"
        t0 = time.perf_counter()
        info = build_snapshot(table, serving_dir, {"decisions_version": 1, "ds": DS,
                                                   "decisions_table": "bench.synthetic"})
        build_only_s = time.perf_counter() - t0
        set_current(serving_dir, info.snapshot_id)
        build_s = time.perf_counter() - t0
        snapshot_bytes = dir_bytes(info.path)
        log(f"snapshot {info.snapshot_id}: {snapshot_bytes / 2**20:,.0f} MiB, build "
            f"{build_only_s:.1f} s + verify/publish {build_s - build_only_s:.1f} s")

        records = work / "records.parquet"
        t0 = time.perf_counter()
        expected = export_records(info, table, records)
        export_s = time.perf_counter() - t0
        log(f"exported {args.users:,} records for the ceiling and Feast in {export_s:.1f} s")
        record_check = lookup_cost(info, table)
        log(f"record checksum: {record_check.get('check_us')} µs per lookup")
        fallback_file = work / "fallback.json"
        fallback_file.write_bytes(expected["fallback_body"])
        overlay = None
        if args.overlay_share > 0:
            overlay = write_overlay(work / "lakehouse", table, args.overlay_share)
            log(f"overlay: {overlay['persons']:,} persons in {overlay['uri']}")
        del table
        release_memory()

        feast_stats, feast_python, feast_repo = None, None, None
        if not args.skip_feast:
            feast_python, feast_repo, feast_stats = setup_feast(
                work, records, expected["feast_windows"], args.min_free_gb)
            log(f"feast: apply {feast_stats['apply_s']} s, materialise "
                f"{feast_stats['materialize_s']} s, online store "
                f"{feast_stats['online_store_bytes'] / 2**20:,.0f} MiB")

        get_script = loadgen.write_script(work / "get.lua", users=args.users,
                                          unknown_share=args.unknown_share)
        feast_script = loadgen.write_script(work / "feast.lua", users=args.users,
                                            unknown_share=args.unknown_share, mode="feast",
                                            feature_ref=FEAST_FEATURE)

        ceiling_runs, tailor_runs = [], []
        for r in range(args.rounds):
            log(f"round {r + 1}/{args.rounds}: ceiling")
            ceiling_runs.append(run_ceiling(work, records, fallback_file, get_script, args, pins,
                                            expected))
            log(f"round {r + 1}/{args.rounds}: tailor")
            tailor_runs.append(run_tailor(work, serving_dir, get_script, args, pins, expected,
                                          env_extra))
        feast_run = None
        if not args.skip_feast:
            log("feast")
            feast_run = run_feast(work, feast_python, feast_repo, records, feast_script, args,
                                  pins, expected)

        # report one round, so tailor and ceiling figures come from the same conditions: the
        # round with the median tailor/ceiling ratio (the lower middle one for an even count)
        by_ratio = sorted(range(args.rounds),
                          key=lambda i: tailor_runs[i]["rps"] / max(ceiling_runs[i]["rps"], 1e-9))
        chosen = by_ratio[(args.rounds - 1) // 2]
        ceiling, tailor = ceiling_runs[chosen], tailor_runs[chosen]
        load_end = os.getloadavg()
        res = {
            "tailor_rps": tailor["rps"], "tailor_p50_ms": tailor["p50_ms"],
            "tailor_p99_ms": tailor["p99_ms"], "tailor_rss_mb": tailor["rss_mb"]["total"],
            "build_s": round(build_s, 2),
            "ceiling_rps": ceiling["rps"], "ceiling_p50_ms": ceiling["p50_ms"],
            "ceiling_p99_ms": ceiling["p99_ms"], "ceiling_rss_mb": ceiling["rss_mb"]["total"],
            "feast_rps": feast_run["rps"] if feast_run else None,
            "feast_p50_ms": feast_run["p50_ms"] if feast_run else None,
            "feast_p99_ms": feast_run["p99_ms"] if feast_run else None,
            "feast_rss_mb": feast_run["rss_mb"]["total"] if feast_run else None,
            "feast_materialize_s": feast_stats["materialize_s"] if feast_stats else None,
            "tailor_vs_ceiling_rps": ratio(tailor["rps"], ceiling["rps"]),
            "tailor_vs_feast_rps": ratio(tailor["rps"], feast_run["rps"] if feast_run else None),
            "tailor_vs_ceiling_rps_per_round": [ratio(t["rps"], c["rps"]) for t, c in
                                                zip(tailor_runs, ceiling_runs)],
            "record_check": record_check,
            "build_snapshot_s": round(build_only_s, 2),
            "verify_publish_s": round(build_s - build_only_s, 2),
            "snapshot_bytes": snapshot_bytes, "mean_body_bytes": expected["mean_body_bytes"],
            "generate_s": round(generate_s, 2), "generator": generator,
            "export_s": round(export_s, 2),
            "users": args.users, "duration_s": args.duration, "warmup_s": args.warmup,
            "connections": args.connections, "wrk_threads": args.threads,
            "unknown_share": args.unknown_share, "rounds": args.rounds,
            "reported_round": chosen + 1,
            "pinning": ("servers on CPU 0, wrk on CPU 1" if args.pin
                        else "none: server and wrk share all cores"),
            "date": started_at.isoformat(timespec="seconds"),
            "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(),
                        "mem_total_gb": round(os.sysconf("SC_PAGE_SIZE")
                                              * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
            "load_avg_start": [round(x, 2) for x in load_start],
            "load_avg_end": [round(x, 2) for x in load_end],
            "peak_rss_mb": {
                "bench": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "largest_child": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)},
            "mem_available_gb_at_start": round(avail_gb, 1) if avail_gb else None,
            "tailor_config": {"command": tailor["command"],
                              "env": {k: v for k, v in env_extra.items()},
                              "snapshot_store": info.manifest["store"],
                              "decision_logging": (
                                  "on (serving.decision_log.enabled=true)"
                                  if env_extra.get("TAILOR__SERVING__DECISION_LOG__ENABLED")
                                  == "true" else "not available"),
                              "decision_log_written": tailor.get("decision_log"),
                              "overlay": overlay or "not available",
                              "overlay_log": tailor.get("overlay_log"),
                              "metrics": tailor.get("metrics"),
                              **knobs},
            "feast": {"version_spec": _feast_spec(), "workers": args.feast_workers,
                      "online_store": "sqlite", **(feast_stats or {}),
                      "run": feast_run} if not args.skip_feast else None,
            "tailor": tailor, "ceiling": ceiling,
            "runs": {"tailor": tailor_runs, "ceiling": ceiling_runs},
            "notes": notes,
        }
        dl = tailor.get("decision_log") or {}
        if env_extra.get("TAILOR__SERVING__DECISION_LOG__ENABLED") == "true":
            if not dl.get("lines"):
                notes.append("decision logging was switched on but the server wrote no "
                             "decisions-*.jsonl lines: check the server")
            elif dl["lines"] < tailor["requests"]:
                notes.append(f"decision log holds {dl['lines']:,} lines for "
                             f"{tailor['requests']:,} measured requests")
        if overlay and not tailor.get("overlay_log"):
            notes.append("the server did not log loading the overlay table")
        if args.rounds > 1:
            notes.append(f"tailor and ceiling alternated {args.rounds} times; round "
                         f"{chosen + 1} (median tailor/ceiling ratio, the lower middle one for "
                         "an even count) is reported; all rounds under 'runs'")
        if max(load_start[0], load_end[0]) > 0.5:
            notes.append(f"the machine was not idle (load average {load_start[0]:.2f} at "
                         f"start, {load_end[0]:.2f} at end): other processes share the cores, "
                         "so absolute figures are low and noisy; the same-run ratios are the "
                         "comparable numbers")
        targets = {}
        for name, (op, target) in TARGETS.items():
            value = res.get(name)
            met = None if value is None else (value >= target if op == ">=" else value <= target)
            targets[name] = {"value": value, "op": op, "target": target, "met": met}
        res["targets"] = targets
    finally:
        Server.stop_all()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    res = json.loads(json.dumps(res).replace(str(work), "<tmp>"))  # no temp paths in results
    report(res)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(res, indent=2) + "\n")
    os.replace(tmp, out)
    print(json.dumps(res, separators=(",", ":")))
    return 0


def _mem_available_gb() -> float | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def _feast_spec() -> str | None:
    try:
        from feast_env import FEAST_SPEC
        return FEAST_SPEC
    except ImportError:
        return None


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:  # servers were stopped on the way out
        log(f"interrupted ({exc or 'Ctrl-C'}); all servers stopped, temp dir removed")
        sys.exit(130)

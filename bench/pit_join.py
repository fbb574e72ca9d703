"""Point-in-time join benchmark: Tailor's ``features.pit.pit_join`` vs Feast's offline stores.

    .venv/bin/python bench/pit_join.py                      # N = 100k, 1M, 10M
    .venv/bin/python bench/pit_join.py --sizes 100000 --peers tailor,feast_spark

One request per N: N entity rows (entity_id, event_timestamp) × 3N feature rows
(entity_id, event_timestamp, created, f0..f9; 3 rows per entity on average, ~15 % of them
written late — up to 30 days after their event), 90-day TTL. The same Parquet inputs
(generated once per N under bench/.data/pit/N, seeded) are answered by

* ``tailor``      — Spark local[2], ``features.pit.pit_join`` (plan ``auto`` with the local
                     config's ``features.pit_broadcast_max_mb`` unless ``--tailor-strategy``;
                     the plan used is recorded), result written as Parquet;
* ``feast_spark`` — Feast's SparkOfflineStore (same Spark settings): get_historical_features
                     → ``to_spark_df().write.parquet`` (the like-for-like peer);
* ``feast_file``  — Feast's default file offline store → ``to_arrow()`` → Parquet;

each in a fresh process (Feast's in its own virtualenv, bench/.venvs/feast, see
bench/feast_env.py). Timed: the request and the write of its full result, after the engine
is up (Spark session start and Feast ``apply`` are reported separately as ``setup_s``). The
first request in a fresh JVM also pays the JIT warm-up (~6 s here, for every Spark peer);
``--repeat K`` runs the same request K times in the same process and records the fastest
repeat as ``warm_request_s`` (steady state) next to the first, cold ``request_s``; peak
memory = the highest summed RSS of the process tree (driver + JVM + workers), polled every
0.1 s. A run that fails, runs out of memory or passes ``--timeout`` is recorded as such.

Semantics differ on one point, on purpose: Tailor also refuses values *written* after the
entity timestamp (``created`` > ts: late-arriving/backfilled rows); Feast only uses
``created`` as a tie-breaker. So the two may pick different rows for some entity rows; row
counts and timings are comparable, values for late rows are not.

Prints a table and, last, one JSON object for N = 1M; every size goes to
bench/results/pit_join.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from procstats import request_times, tree_cpu_seconds

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / ".data" / "pit"
RESULTS = HERE / "results" / "pit_join.json"
FEATURES = [f"f{i}" for i in range(10)]
T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
TTL_DAYS = 90
PEERS = ("tailor", "feast_spark", "feast_file")


# ---------------------------------------------------------------- inputs (generated once per N)
def generate(n: int, seed: int = 7) -> tuple[Path, Path]:
    """entities.parquet (n rows) and features.parquet (3n rows) under bench/.data/pit/<n>."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = DATA / str(n)
    ent, feat, done = out / "entities.parquet", out / "features.parquet", out / ".done"
    if done.exists():
        return ent, feat
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    t0 = int(T0.timestamp())
    day = 86400
    ts_type = pa.timestamp("us", tz="UTC")

    def ts(seconds):
        return pa.array(seconds.astype("int64") * 1_000_000, type=pa.int64()).cast(ts_type)

    # Entity rows: ids drawn with replacement (some entities at several cutoffs), timestamps in
    # the last 275 days of the year so the 90-day TTL window is always inside the data.
    eid = rng.integers(0, n, n, dtype=np.int64)
    ets = rng.integers(t0 + 90 * day, t0 + 365 * day, n, dtype=np.int64)
    pq.write_table(pa.table({"entity_id": eid, "event_timestamp": ts(ets)}), ent,
                   row_group_size=1_000_000)
    # Feature rows in chunks (10M entities → 30M rows, ~3.5 GB in memory at once otherwise).
    schema = pa.schema([("entity_id", pa.int64()), ("event_timestamp", ts_type),
                        ("created", ts_type), *[(f, pa.float64()) for f in FEATURES]])
    total, chunk = 3 * n, 2_000_000
    with pq.ParquetWriter(feat, schema) as writer:
        for start in range(0, total, chunk):
            m = min(chunk, total - start)
            fid = rng.integers(0, n, m, dtype=np.int64)
            fts = rng.integers(t0, t0 + 365 * day, m, dtype=np.int64)
            late = rng.random(m) < 0.15
            delay = np.where(late, rng.integers(3600, 30 * day, m), rng.integers(0, 3600, m))
            cols = {"entity_id": fid, "event_timestamp": ts(fts), "created": ts(fts + delay)}
            cols.update({f: rng.random(m) for f in FEATURES})
            writer.write_table(pa.table(cols, schema=schema), row_group_size=1_000_000)
    done.write_text("ok\n")
    return ent, feat


# ---------------------------------------------------------------- the Tailor worker process
def tailor_worker(args: argparse.Namespace) -> None:
    """Runs in a fresh .venv process: Tailor's Spark session + pit_join + Parquet write."""
    from datetime import timedelta

    started = time.time()
    sys.path.insert(0, str(REPO))
    from tailor.config import load_config
    from tailor.features.pit import choose_strategy, pit_join
    from tailor.spark import get_spark

    conf = json.loads(args.spark_conf)
    tmp = tempfile.mkdtemp(prefix="pit-tailor-")
    cfg = load_config(env="local", root=REPO, environ={}, overrides={
        "paths": {"runs": tmp},
        "spark": {"master": conf["spark.master"], "driver_memory": conf["spark.driver.memory"],
                  "shuffle_partitions": int(conf["spark.sql.shuffle.partitions"])}})
    spark = get_spark(cfg, app_name="pit-bench-tailor")
    setup_s = time.time() - started
    strategy = args.tailor_strategy
    if strategy == "auto":
        strategy = choose_strategy(spark.read.parquet(args.entities),
                                   cfg.features.pit_broadcast_max_mb * 2**20)
    times = []
    for _ in range(args.repeat):
        t0, c0 = time.time(), tree_cpu_seconds()
        entities = spark.read.parquet(args.entities)
        features = spark.read.parquet(args.features)
        out = pit_join(entities, features, timedelta(days=TTL_DAYS), keys="entity_id",
                       ts_col="event_timestamp", event_ts_col="event_timestamp",
                       written_at_col="created", feature_cols=FEATURES, strategy=strategy)
        out.write.mode("overwrite").parquet(args.out)
        times.append((time.time() - t0, tree_cpu_seconds() - c0))
    rows_out = spark.read.parquet(args.out).count()
    spark.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    print("FEASTJSON " + json.dumps({"store": "tailor", "plan": strategy,
                                     "setup_s": round(setup_s, 2), **request_times(times),
                                     "rows_out": rows_out}), flush=True)



# ---------------------------------------------------------------- running and measuring
def _tree_sample(proc, cpu: dict[int, float]) -> int:
    """Summed RSS of ``proc`` and its descendants; records each one's CPU seconds in ``cpu``."""
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            with p.oneshot():
                total += p.memory_info().rss
                t = p.cpu_times()
                cpu[p.pid] = max(cpu.get(p.pid, 0.0), t.user + t.system)
        except psutil.Error:
            pass
    return total


def measure(cmd: list[str], timeout: float, env: dict[str, str]) -> dict:
    """Run ``cmd`` in a fresh process; wall time, peak tree RSS, its FEASTJSON line, status."""
    import psutil

    started = time.time()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    ps = psutil.Process(proc.pid)
    peak, status, cpu = 0, None, {}
    while proc.poll() is None:
        peak = max(peak, _tree_sample(ps, cpu))
        if time.time() - started > timeout:
            status = f"timeout after {timeout:.0f} s"
            for child in ps.children(recursive=True):
                child.kill()
            proc.kill()
            break
        time.sleep(0.1)
    proc.wait()
    wall = time.time() - started
    log.seek(0)
    text = log.read()
    log.close()
    # CPU seconds (user + sys) of the whole process tree, sampled every 0.1 s: far less
    # sensitive than wall time to other load on a shared machine.
    result = {"process_s": round(wall, 2), "peak_mb": round(peak / 2**20),
              "cpu_s": round(sum(cpu.values()), 1)}
    for line in text.splitlines():
        if line.startswith("FEASTJSON "):
            result.update(json.loads(line[len("FEASTJSON "):]))
    if status is None and proc.returncode != 0:
        oom = any(s in text for s in ("OutOfMemoryError", "MemoryError", "Killed",
                                      "Cannot allocate memory")) or proc.returncode in (-9, 137)
        status = ("out of memory" if oom else "failed") + f" (exit {proc.returncode})"
        result["error_tail"] = text.strip().splitlines()[-8:]
    result["status"] = status or "ok"
    os.unlink(log.name)
    return result


def run_one(peer: str, n: int, ent: Path, feat: Path, spark_conf: dict, timeout: float,
            work: Path, repeat: int = 1, tailor_strategy: str = "auto") -> dict:
    out = work / f"{peer}_{n}.parquet"
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYTHONHASHSEED="0")
    common = ["--entities", str(ent), "--features", str(feat), "--out", str(out),
              "--spark-conf", json.dumps(spark_conf), "--repeat", str(repeat)]
    if peer == "tailor":
        env.update(PYSPARK_PYTHON=sys.executable, TAILOR_HOME=str(REPO))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker",
               "--tailor-strategy", tailor_strategy, *common]
    else:
        sys.path.insert(0, str(HERE))
        from feast_env import feast_python

        py = feast_python()
        env.update(PYSPARK_PYTHON=py)
        env.pop("PYTHONPATH", None)
        cmd = [py, str(HERE / "feast_pit" / "run_feast.py"), "--store", peer.split("_")[1],
               "--repo", str(work / f"repo_{peer}_{n}"), "--ttl-days", str(TTL_DAYS), *common]
    result = measure(cmd, timeout, env)
    shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000,1000000,10000000")
    p.add_argument("--peers", default=",".join(PEERS))
    p.add_argument("--peer-max-n", type=int, default=10_000_000,
                   help="run Feast peers only up to this N (larger: recorded as not run)")
    p.add_argument("--timeout", type=float, default=1800, help="per-run cap in seconds")
    p.add_argument("--driver-memory", default="6g")
    p.add_argument("--shuffle-partitions", type=int, default=16)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--entities"), p.add_argument("--features"), p.add_argument("--out")
    p.add_argument("--spark-conf", default="{}")
    p.add_argument("--repeat", type=int, default=2,
                   help="requests per process: the first is cold, the fastest later one is "
                        "reported as warm_request_s (1 = cold only)")
    p.add_argument("--tailor-strategy", default="auto", choices=["auto", "window", "broadcast"],
                   help="features.pit plan for Tailor (auto: broadcast small entity sides)")
    args = p.parse_args()
    if args.worker:
        return tailor_worker(args)

    spark_conf = {"spark.master": "local[2]", "spark.driver.memory": args.driver_memory,
                  "spark.sql.shuffle.partitions": str(args.shuffle_partitions),
                  "spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false",
                  "spark.driver.host": "127.0.0.1"}
    sizes = [int(s) for s in args.sizes.split(",")]
    peers = [s for s in args.peers.split(",") if s]
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    report = {"benchmark": "point-in-time join", "measured": datetime.now(timezone.utc).isoformat(
        timespec="seconds"), "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_avg_start": [round(x, 2) for x in os.getloadavg()], "spark_conf": spark_conf,
        "ttl_days": TTL_DAYS, "sizes": dict(previous.get("sizes", {}))}
    work = Path(tempfile.mkdtemp(prefix="pit-bench-", dir=str(DATA.parent)
                                 if DATA.parent.exists() else None))
    print(f"{'N':>10} {'peer':>12} {'status':>10} {'request_s':>10} {'req_cpu_s':>9} "
          f"{'setup_s':>8} {'process_s':>9} {'cpu_s':>7} {'peak_mb':>8} {'rows_out':>10}",
          flush=True)
    measured: dict[str, dict] = {}
    for n in sizes:
        t = time.time()
        ent, feat = generate(n)
        # peers not run this time keep their figures from an earlier invocation (each peer
        # records its own load average and start time, so mixed runs stay visible)
        earlier = (json.loads(RESULTS.read_text()) if RESULTS.exists() else {}).get(
            "sizes", {}).get(str(n), {})
        entry = {**{k: v for k, v in earlier.items() if k in PEERS and k not in peers},
                 "entity_rows": n, "feature_rows": 3 * n,
                 "generate_s": round(time.time() - t, 1),
                 "load_avg": [round(x, 2) for x in os.getloadavg()]}
        for peer in PEERS:
            if peer not in peers:
                continue
            if peer != "tailor" and n > args.peer_max_n:
                entry[peer] = {"status": f"not run (N > --peer-max-n={args.peer_max_n})"}
                continue
            started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            load = [round(x, 2) for x in os.getloadavg()]
            r = {"started": started_at, "load_avg_start": load,
                 **run_one(peer, n, ent, feat, spark_conf, args.timeout, work,
                           repeat=args.repeat, tailor_strategy=args.tailor_strategy),
                 "load_avg_end": [round(x, 2) for x in os.getloadavg()]}
            entry[peer] = r
            print(f"{n:>10} {peer:>12} {r['status'][:10]:>10} {r.get('request_s', '-'):>10} "
                  f"{r.get('request_cpu_s', '-'):>9} "
                  f"{r.get('setup_s', '-'):>8} {r['process_s']:>9} {r['cpu_s']:>7} {r['peak_mb']:>8} "
                  f"{r.get('rows_out', '-'):>10}", flush=True)
        entry["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
        ts, fs = entry.get("tailor", {}), entry.get("feast_spark", {})
        if ts.get("status") == "ok" and fs.get("status") == "ok":
            entry["speedup_vs_feast_spark"] = round(fs["request_s"] / ts["request_s"], 2)
            entry["cpu_ratio_vs_feast_spark"] = round(fs["request_cpu_s"] / ts["request_cpu_s"], 2)
            if ts.get("warm_request_s") and fs.get("warm_request_s"):
                entry["speedup_warm_vs_feast_spark"] = round(
                    fs["warm_request_s"] / ts["warm_request_s"], 2)
        report["sizes"][str(n)] = entry
        measured[str(n)] = entry
        # merge with what other invocations wrote meanwhile (e.g. 10M run on its own)
        current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        report["sizes"] = {**current.get("sizes", {}), **measured}
        report["sizes"] = dict(sorted(report["sizes"].items(), key=lambda kv: int(kv[0])))
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        print("SIZEJSON " + json.dumps({n: entry}), flush=True)
    shutil.rmtree(work, ignore_errors=True)

    one = report["sizes"].get(str(1_000_000), {})

    def get(peer, key):
        return one.get(peer, {}).get(key) if one.get(peer, {}).get("status") == "ok" else None

    print(json.dumps({"rows": 1_000_000, "tailor_s": get("tailor", "request_s"),
                      "feast_spark_s": get("feast_spark", "request_s"),
                      "feast_file_s": get("feast_file", "request_s"),
                      "speedup_vs_feast_spark": one.get("speedup_vs_feast_spark"),
                      "cpu_ratio_vs_feast_spark": one.get("cpu_ratio_vs_feast_spark"),
                      "tailor_warm_s": get("tailor", "warm_request_s"),
                      "feast_spark_warm_s": get("feast_spark", "warm_request_s"),
                      "speedup_warm_vs_feast_spark": one.get("speedup_warm_vs_feast_spark"),
                      "tailor_plan": get("tailor", "plan"),
                      "tailor_cpu_s": get("tailor", "request_cpu_s"),
                      "feast_spark_cpu_s": get("feast_spark", "request_cpu_s"),
                      "tailor_rows_out": get("tailor", "rows_out"),
                      "feast_spark_rows_out": get("feast_spark", "rows_out"),
                      "feast_file_rows_out": get("feast_file", "rows_out"),
                      "tailor_peak_mb": one.get("tailor", {}).get("peak_mb"),
                      "feast_spark_peak_mb": one.get("feast_spark", {}).get("peak_mb"),
                      "feast_file_peak_mb": one.get("feast_file", {}).get("peak_mb"),
                      "feast_spark_status": one.get("feast_spark", {}).get("status"),
                      "feast_file_status": one.get("feast_file", {}).get("status"),
                      "load_avg": one.get("load_avg")}))


if __name__ == "__main__":
    main()

"""What a job pays to get a Spark: its own JVM (the default until now) vs a session on the shared
Spark Connect server (``tailor spark start``; the daily DAG starts one per run).

Each run is a fresh process doing what every job does around its work: import Tailor, get a
session (``tailor.spark.get_spark``), run one small query and one Delta write through the bridge
(``mapInArrow`` on executors, commit by delta-rs), exit. Runs alternate local / connect so drift
on a shared machine hits both; medians are quoted. Also the server's own start-up (paid once per
DAG run) and what that means for a DAG of ``--tasks`` Spark tasks.

Prints a table and, last, one JSON object (also ``bench/results/spark_overhead.json``).

    .venv/bin/python bench/spark_overhead.py              # 5 pairs
    .venv/bin/python bench/spark_overhead.py --runs 9
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
DATA = REPO / "bench" / ".data" / "spark_overhead"
TAILOR = str(Path(sys.executable).with_name("tailor"))

JOB = """
import time
t0 = time.monotonic()
from tailor.config import get_config
from tailor.lakehouse import Lakehouse
from tailor.spark import get_spark
cfg = get_config()
t1 = time.monotonic()
spark = get_spark(cfg)
t2 = time.monotonic()
frame = spark.range(20000).selectExpr("id", "id % 7 AS k", "rand(1) AS x")
n = frame.groupBy("k").count().count()
Lakehouse(cfg).write(frame, "ops.overhead_probe", mode="overwrite", partition_by=["k"])
t3 = time.monotonic()
print("TIMES", type(spark).__module__, t1 - t0, t2 - t1, t3 - t2)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _job(env: dict[str, str]) -> dict[str, float | str]:
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", JOB], env=env, cwd=env["TAILOR_HOME"],
                         capture_output=True, text=True, timeout=600)
    wall = time.monotonic() - started
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("TIMES")), None)
    if line is None:
        raise RuntimeError(f"probe job failed: {out.stderr[-3000:]}")
    _, kind, imports, session, work = line.split()
    return {"kind": kind, "wall_s": wall, "imports_s": float(imports),
            "session_s": float(session), "work_s": float(work)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="pairs of runs (local, connect)")
    parser.add_argument("--tasks", type=int, default=19,
                        help="Spark tasks of a DAG run, for the per-run figure (daily DAG: 19)")
    args = parser.parse_args(argv)
    if DATA.exists():
        shutil.rmtree(DATA)
    # two projects: one with a server up, one without (a job finds the server by its project)
    for name in ("shared", "alone"):
        shutil.copytree(REPO / "conf", DATA / name / "conf")
    env = {**os.environ, "TAILOR_HOME": str(DATA / "shared"), "TAILOR_ENV": "local",
           "TAILOR__SPARK__CONNECT__PORT": str(_free_port()), "SPARK_LOCAL_IP": "127.0.0.1"}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    alone = {**env, "TAILOR_HOME": str(DATA / "alone")}

    started = time.monotonic()
    up = subprocess.run([TAILOR, "spark", "start"], env=env, cwd=env["TAILOR_HOME"],
                        capture_output=True, text=True)
    server_start_s = time.monotonic() - started
    if up.returncode != 0:
        print(up.stdout, up.stderr)
        return 1
    runs: dict[str, list[dict]] = {"local": [], "connect": []}
    try:
        for i in range(args.runs + 1):            # the first pair warms caches, not counted
            local = _job(alone)
            shared = _job(env)
            if i:
                runs["local"].append(local)
                runs["connect"].append(shared)
            print(f"  pair {i}{' (warm-up)' if not i else ''}: local {local['wall_s']:.1f} s "
                  f"({local['kind']}), connect {shared['wall_s']:.1f} s ({shared['kind']})",
                  flush=True)
    finally:
        subprocess.run([TAILOR, "spark", "stop"], env=env, cwd=env["TAILOR_HOME"],
                       capture_output=True)

    med = {k: {f: statistics.median(r[f] for r in v) for f in ("wall_s", "imports_s",
                                                                "session_s", "work_s")}
           for k, v in runs.items()}
    saved = med["local"]["wall_s"] - med["connect"]["wall_s"]
    summary = {
        "date": time.strftime("%Y-%m-%d"), "runs": args.runs, "cpus": os.cpu_count(),
        "local": med["local"], "connect": med["connect"],
        "server_start_s": round(server_start_s, 2),
        "saved_per_task_s": round(saved, 2),
        "dag_tasks": args.tasks,
        "saved_per_dag_run_s": round(saved * args.tasks - server_start_s, 1),
        "kinds": {k: sorted({r["kind"] for r in v}) for k, v in runs.items()},
    }
    print(f"\nper job (median of {args.runs}): own Spark {med['local']['wall_s']:.1f} s "
          f"(session {med['local']['session_s']:.1f} s, work {med['local']['work_s']:.1f} s) | "
          f"shared server {med['connect']['wall_s']:.1f} s (session "
          f"{med['connect']['session_s']:.1f} s, work {med['connect']['work_s']:.1f} s)")
    print(f"server start-up once per DAG run: {server_start_s:.1f} s; a DAG run of {args.tasks} "
          f"Spark tasks saves about {summary['saved_per_dag_run_s']:.0f} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "spark_overhead.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

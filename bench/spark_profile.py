"""Where a job's time goes inside the shared Spark: JIT compilation, GC, query work — per job.

Runs jobs (``tailor run JOB --ds DS``, as the DAG's tasks do) one after another on a world that
``bench/dag_scale.py`` kept (``bench/.data/dag_scale/<users>x<days>-s<seed>``, its DAG run once
already, so every input exists; the jobs are idempotent for their ds), against one Spark Connect
server started for the bench with the JDK's Flight Recorder on and the Spark UI on a loopback
port. Per job it prints and writes:

- ``wall_s``: the job's command, start to end;
- ``jvm_cpu_s`` / ``machine_cpu_s``: CPU-seconds of the Spark JVM and of the whole machine while
  the job ran (JFR ``jdk.CPULoad``, sampled every second);
- ``jit_s`` / ``compiles``: the JVM's JIT compilers' time and compilations in that window (JFR
  ``jdk.CompilerStatistics``): Spark generates Java code for each query's stages, and the JVM
  compiles it again for every new query, so on small data this is the cost that does not shrink;
- ``gc_pause_s``: stop-the-world GC pauses (JFR ``jdk.GarbageCollection``);
- ``spark_jobs`` / ``stages`` / ``tasks`` / ``executor_run_s``: from the Spark UI's REST API.

The JSON (``--out``, default ``bench/results/spark_profile.json``) also keeps the JVM options
and any ``TAILOR__*`` settings in force, so an A/B of a JVM or Spark setting is two runs:

    .venv/bin/python bench/dag_scale.py --sizes 3000 --days 45      # keeps the default world
    .venv/bin/python bench/spark_profile.py --users 3000 --days 45 \
        --out bench/results/spark_profile_default_world.json
    .venv/bin/python bench/spark_profile.py --users 3000 --days 45 \
        --java-options=-XX:+UseParallelGC --out /tmp/parallel_gc.json  # same jobs, another GC

The first job runs on a cold JVM (its classes load and its code is compiled for the first time):
compare jobs at the same position between runs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.dag_scale import DATA, RESULTS, _last_day, _world_environment  # noqa: E402
from bench.serve import free_port  # noqa: E402

JOBS = "identity,features,training_sets,policy_outcomes,score,decide"
JFR_EVENTS = "jdk.CPULoad,jdk.CompilerStatistics,jdk.GarbageCollection"


def _seconds(duration: str) -> float:
    """A JFR JSON duration (ISO 8601, e.g. ``PT1M3.5S``) in seconds."""
    body, total = duration.removeprefix("PT"), 0.0
    for unit, scale in (("H", 3600.0), ("M", 60.0), ("S", 1.0)):
        if unit in body:
            value, body = body.split(unit, 1)
            total += float(value) * scale
    return total


def _epoch(stamp: str) -> float:
    """An ISO timestamp (JFR's ``...Z`` with nanoseconds, or the Spark UI's ``...GMT``)."""
    stamp = stamp.replace("GMT", "+00:00").replace("Z", "+00:00")
    head, _, zone = stamp.partition("+")
    if "." in head:   # Python parses at most microseconds
        main, frac = head.split(".")
        head = f"{main}.{frac[:6]}"
    return datetime.fromisoformat(f"{head}+{zone}").timestamp()


def jvm_window(events: list[dict], start: float, end: float, cpus: int) -> dict:
    """JVM figures between ``start`` and ``end`` (epoch s) from JFR events (``jfr print --json``).

    CPU: the 1 s ``jdk.CPULoad`` samples inside the window (fractions of the whole machine) ×
    ``cpus``; JIT: the growth of the cumulative ``jdk.CompilerStatistics`` from the last sample
    at or before ``start`` to the last at or before ``end``; GC: the pauses that began inside."""
    def inside(e: dict) -> bool:
        return start < _epoch(e["values"]["startTime"]) <= end

    load = [e["values"] for e in events if e["type"] == "jdk.CPULoad" and inside(e)]
    stats = sorted((e for e in events if e["type"] == "jdk.CompilerStatistics"),
                   key=lambda e: _epoch(e["values"]["startTime"]))

    def stat_at(t: float) -> dict:
        before = [e["values"] for e in stats if _epoch(e["values"]["startTime"]) <= t]
        return before[-1] if before else {"totalTimeSpent": "PT0S", "compileCount": 0}

    first, last = stat_at(start), stat_at(end)
    gc = [e["values"] for e in events if e["type"] == "jdk.GarbageCollection" and inside(e)]
    return {"jvm_cpu_s": round(sum(v["jvmUser"] + v["jvmSystem"] for v in load) * cpus, 1),
            "machine_cpu_s": round(sum(v["machineTotal"] for v in load) * cpus, 1),
            "jit_s": round(_seconds(last["totalTimeSpent"]) - _seconds(first["totalTimeSpent"]), 1),
            "compiles": last["compileCount"] - first["compileCount"],
            "gc_pause_s": round(sum(_seconds(v["sumOfPauses"]) for v in gc), 2)}


def spark_window(jobs: list[dict], stages: list[dict], start: float, end: float) -> dict:
    """Spark jobs and stages submitted between ``start`` and ``end`` (the UI's REST records)."""
    def inside(record: dict) -> bool:
        return "submissionTime" in record and start <= _epoch(record["submissionTime"]) <= end

    mine = [s for s in stages if inside(s)]
    return {"spark_jobs": sum(1 for j in jobs if inside(j)), "stages": len(mine),
            "tasks": sum(s.get("numTasks", 0) for s in mine),
            "executor_run_s": round(sum(s.get("executorRunTime", 0) for s in mine) / 1000, 1)}


def _rest(port: int, path: str) -> list[dict]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/{path}", timeout=30) as r:
        return json.load(r)


def _profile(names: list[str], days: int, java_options: str):
    """Run the jobs one after another on a shared Spark started with Flight Recorder and the UI
    → (ds, (job, start, end, rc) per job, the UI's jobs and stages, the JFR events)."""
    from tailor import spark_connect
    from tailor.config import load_config

    os.environ.setdefault("TAILOR_HOME", str(REPO))
    cfg = load_config(root=REPO)
    ds = _last_day(cfg, days)
    ui = free_port()
    java = f"-XX:StartFlightRecording=name=tailor,settings=profile {java_options}".strip()
    server_cfg = load_config(root=REPO, overrides={"spark": {"conf": {
        **cfg.spark.conf, "spark.ui.enabled": "true", "spark.ui.port": str(ui),
        "spark.driver.extraJavaOptions": java, "spark.ui.retainedJobs": "100000",
        "spark.ui.retainedStages": "100000"}}})
    tailor = str(Path(sys.executable).with_name("tailor"))
    server, _ = spark_connect.start(server_cfg)
    windows = []
    try:
        for job in names:
            start = time.time()
            proc = subprocess.run([tailor, "run", job, "--ds", ds], capture_output=True, text=True)
            end = time.time()
            windows.append((job, start, end, proc.returncode))
            print(f"  {job:<16} rc={proc.returncode} {end - start:6.1f} s", flush=True)
            if proc.returncode:
                print(proc.stderr[-2000:], file=sys.stderr)
        app = _rest(ui, "applications")[0]["id"]
        jobs, stages = _rest(ui, f"applications/{app}/jobs"), _rest(ui, f"applications/{app}/stages")
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "tailor.jfr"
            subprocess.run(["jcmd", str(server.pid), "JFR.dump", "name=tailor",
                            f"filename={dump}"], check=True, capture_output=True)
            printed = subprocess.run(["jfr", "print", "--json", "--events", JFR_EVENTS, str(dump)],
                                     check=True, capture_output=True, text=True).stdout
    finally:
        spark_connect.stop(server_cfg)
    return ds, windows, jobs, stages, json.loads(printed)["recording"]["events"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--jobs", default=JOBS, help=f"comma-separated (default {JOBS})")
    parser.add_argument("--java-options", default="",
                        help="extra options of the Spark JVM, given with =: "
                             "--java-options=-XX:+UseParallelGC")
    parser.add_argument("--out", type=Path, default=RESULTS / "spark_profile.json")
    args = parser.parse_args(argv)
    world = DATA / f"{args.users}x{args.days}-s{args.seed}"
    if not (world / "lakehouse").exists():
        parser.error(f"no kept world at {world}: run `bench/dag_scale.py --sizes {args.users} "
                     f"--days {args.days} --seed {args.seed}` first (its DAG run makes every "
                     f"table these jobs read)")
    for tool in ("jcmd", "jfr"):
        if not shutil.which(tool):
            parser.error(f"`{tool}` (the JDK's) is not on PATH: install a full JDK 17")
    with _world_environment(world):   # the jobs and the server see the world's folders
        ds, windows, jobs, stages, events = _profile(args.jobs.split(","), args.days,
                                                     args.java_options)
    cpus, results = os.cpu_count() or 1, []
    print(f"\n{'job':<16} {'wall':>6} {'JVM CPU':>8} {'JIT':>6} {'compiles':>9} {'GC':>5} "
          f"{'jobs':>5} {'stages':>6} {'tasks':>6} {'exec run':>8}")
    for job, start, end, rc in windows:
        row = {"job": job, "rc": rc, "wall_s": round(end - start, 1),
               **jvm_window(events, start, end, cpus), **spark_window(jobs, stages, start, end)}
        results.append(row)
        print(f"{job:<16} {row['wall_s']:6.1f} {row['jvm_cpu_s']:8.1f} {row['jit_s']:6.1f} "
              f"{row['compiles']:9d} {row['gc_pause_s']:5.1f} {row['spark_jobs']:5d} "
              f"{row['stages']:6d} {row['tasks']:6d} {row['executor_run_s']:8.1f}")
    total = {k: round(sum(r[k] for r in results), 1)
             for k in ("wall_s", "jvm_cpu_s", "machine_cpu_s", "jit_s", "gc_pause_s",
                       "executor_run_s")}
    print(f"all: {total}")
    summary = {"date": time.strftime("%Y-%m-%d"), "cpus": cpus, "users": args.users,
               "days": args.days, "seed": args.seed, "ds": ds, "java_options": args.java_options,
               "config_env": {k: v for k, v in os.environ.items() if k.startswith("TAILOR__")},
               "jobs": results, "total": total}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))
    return 0 if all(r["rc"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The ``features`` (or ``ingest``) job, one code version against another, on the same inputs.

    .venv/bin/python bench/features_job.py --home /tmp/fb --prepare 5000 45 42 \\
        --code before=/tmp/old/venv/bin/python --code after=.venv/bin/python --repeats 2
    .venv/bin/python bench/features_job.py --job ingest --home /tmp/ib --prepare 100000 30 42 \\
        --code before=/tmp/old/venv/bin/python --code after=.venv/bin/python

``--job ingest`` times ``tailor run ingest`` on the world's landing files instead: each run starts
from an empty lakehouse (bronze and ops.ingest_log removed), and the bronze.events each label
wrote is compared with the first label's by row count and an order-free checksum of every
column (polars row hashes, summed): the same events, to the bit. Results go to
``bench/results/<job>_job.json``.

``--home`` is a Tailor home (a ``conf/`` folder; created from this repository's if missing).
``--prepare USERS DAYS SEED`` simulates that world into it and runs ``ingest`` and ``identity``
once (skipped when silver.events is already there). Each ``--code LABEL=PYTHON`` names a Python
whose installed ``tailor`` is the code to time (e.g. a venv installed from an older commit, see
bench/README.md); the runs alternate between them (``--repeats`` rounds, to spread the machine's
load alike), each a fresh ``tailor run features --ds DS`` process on the same silver.events,
after removing every ``features.*`` table (each run starts from the same state). Recorded per
run: wall seconds of the process (incl. Spark start-up), the job's own wall and CPU-seconds of
its process tree (``runs/DS/features.json``: driver + JVM + Python workers, tailor/usage.py)
and the rows written. Per label: medians. The tables each label wrote are kept and compared
with the first label's (same rows, values to 1e-9 relative): a faster job must not be a
different one. Prints one JSON object last; also bench/results/features_job.json.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
# per job: what its runs remove first (lakehouse folders), what is kept and compared per label,
# what must exist before it can run (else --prepare simulates it), the summary fields reported
JOBS = {"features": {"outputs": ["features"], "kept": "features",
                     "ready": "lakehouse/silver/events",
                     "fields": ("rows", "asof_days", "tables", "commits")},
        "ingest": {"outputs": ["bronze", "ops/ingest_log"], "kept": "bronze", "ready": "landing",
                   "fields": ("rows", "lines", "quarantined")}}


def _env(home: Path, python: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAILOR")}
    return {**env, "TAILOR_HOME": str(home), "PYSPARK_PYTHON": python, "SPARK_LOCAL_IP": "127.0.0.1",
            "TAILOR__IDENTITY__GROUND_TRUTH": str(home / "ground_truth" / "identity.parquet")}


def _tailor(home: Path, python: str, *args: str) -> float:
    began = time.perf_counter()
    # run from the home: Spark's Python workers put their working directory first on sys.path,
    # so from this repository they would import its tailor, not the version being timed
    subprocess.run([str(Path(python).parent / "tailor"), *args], env=_env(home, python), check=True,
                   stdout=subprocess.DEVNULL, cwd=home)
    return time.perf_counter() - began


def prepare(home: Path, users: int, days: int, seed: int, python: str, job: str) -> str:
    if not (home / "conf").exists():
        shutil.copytree(REPO / "conf", home / "conf")
    start = date.fromisoformat("2026-09-01")
    ds = (start + timedelta(days=days - 1)).isoformat()
    steps = [["simulate", "--users", str(users), "--days", str(days), "--seed", str(seed),
              "--out", str(home)]]
    if job == "features":
        steps += [["run", "ingest", "--ds", ds], ["run", "identity", "--ds", ds]]
    if not (home / JOBS[job]["ready"]).exists():
        for args in steps:
            print(f"  prepare: tailor {' '.join(args)} ({_tailor(home, python, *args):.0f}s)", flush=True)
    return ds


def _world(home: Path, prepare: tuple[int, int, int]) -> tuple[int, int, int]:
    """(users, days, seed) of the world in ``home``: its ``world.json`` when the simulator wrote
    one (a kept world: ``--prepare`` did not make it), else ``--prepare``'s."""
    path = home / "world.json"
    if not path.exists():
        return tuple(prepare)  # type: ignore[return-value]
    made = json.loads(path.read_text())["arguments"]
    return int(made["users"]), int(made["days"]), int(made["seed"])


def one_run(home: Path, label: str, python: str, ds: str, job: str) -> dict:
    spec = JOBS[job]
    for folder in spec["outputs"]:
        shutil.rmtree(home / "lakehouse" / folder, ignore_errors=True)
    wall = _tailor(home, python, "run", job, "--ds", ds)
    record = json.loads((home / "runs" / ds / f"{job}.json").read_text())
    kept = home / "bench-tables" / label
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(home / "lakehouse" / spec["kept"], kept)
    seconds = record["seconds"]   # a dict of the groups' times in code before 2026-12-07
    run = {"label": label, "process_s": round(wall, 1),
           "job_s": None if isinstance(seconds, dict) else seconds,
           "job_cpu_s": record["cpu_seconds"]}
    if job == "ingest":
        return {**run, "rows": record["events"], "lines": record["lines"],
                "quarantined": record["quarantined"]}
    commits: dict[str, int] = {}
    for key, w in record["written"].items():   # one table@day each; versions from 0 (fresh tables)
        commits[key.split("@")[0]] = max(commits.get(key.split("@")[0], 0), w["version"])
    return {**run, "group_s": seconds if isinstance(seconds, dict) else record.get("group_seconds"),
            "rows": sum(w["rows"] for w in record["written"].values()),
            "asof_days": len(record["asof_days"]), "tables": len(commits),
            "commits": sum(v + 1 for v in commits.values())}


def checksum(path: Path) -> dict:
    """Rows and an order-free checksum of every column of the Delta table at ``path``."""
    import polars as pl
    from deltalake import DeltaTable

    frame = pl.scan_pyarrow_dataset(DeltaTable(str(path)).to_pyarrow_dataset())
    row = frame.select(pl.len().alias("rows"), pl.struct(pl.all()).hash(seed=0)
                       .mod(1_000_000_007).cast(pl.Int64).sum().alias("hash_sum")).collect()
    return row.to_dicts()[0]


def _table(path: Path):
    import pyarrow.compute as pc
    from deltalake import DeltaTable

    t = DeltaTable(str(path)).to_pyarrow_table()
    key = "person_id" if "person_id" in t.column_names else "item_id"
    return t.take(pc.sort_indices(t, [("ds", "ascending"), (key, "ascending")]))


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


def compare(home: Path, base: str, other: str, job: str) -> dict:
    """Per table: rows of each, and cells that differ (beyond float tolerance); ingest's
    bronze.events (millions of rows): rows and checksums of each."""
    if job == "ingest":
        a, b = (checksum(home / "bench-tables" / label / "events") for label in (base, other))
        return {"events": {"rows": a["rows"], "rows_other": b["rows"],
                           "hash_sum": a["hash_sum"], "hash_sum_other": b["hash_sum"],
                           "same": a == b}}
    out = {}
    for path in sorted((home / "bench-tables" / base).iterdir()):
        a, b = _table(path), _table(home / "bench-tables" / other / path.name)
        diff = -1 if a.column_names != b.column_names or a.num_rows != b.num_rows else sum(
            not _close(x, y) for c in a.column_names
            for x, y in zip(a.column(c).to_pylist(), b.column(c).to_pylist()))
        out[path.name] = {"rows": a.num_rows, "rows_other": b.num_rows, "cells_differing": diff}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--job", choices=sorted(JOBS), default="features", help="the job to time")
    p.add_argument("--home", type=Path, required=True, help="a Tailor home for the bench world")
    p.add_argument("--prepare", nargs=3, type=int, metavar=("USERS", "DAYS", "SEED"),
                   default=(5000, 45, 42), help="world to simulate if the home has none")
    p.add_argument("--code", action="append", required=True, metavar="LABEL=PYTHON",
                   help="a code version to time: a label and a Python with that tailor installed")
    p.add_argument("--repeats", type=int, default=2, help="rounds (each label once per round)")
    args = p.parse_args(argv)
    codes = [(label, os.path.abspath(python))  # runs start in the home (see _tailor)
             for label, python in (c.split("=", 1) for c in args.code)]
    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    ds = prepare(home, *args.prepare, python=codes[-1][1], job=args.job)
    runs = []
    for round_ in range(args.repeats):
        for label, python in codes:
            runs.append(one_run(home, label, python, ds, args.job))
            print(f"  round {round_ + 1} {json.dumps(runs[-1])}", flush=True)
    per = {}
    for label, _ in codes:
        mine = [r for r in runs if r["label"] == label]
        per[label] = {k: statistics.median(v) if (v := [r[k] for r in mine if r[k] is not None])
                      else None for k in ("process_s", "job_s", "job_cpu_s")}
        per[label].update({k: mine[-1][k] for k in JOBS[args.job]["fields"]})
    base = codes[0][0]
    world = _world(home, args.prepare)
    result = {"job": args.job, "users": world[0], "days": world[1],
              "seed": world[2], "ds": ds, "median": per, "runs": runs,
              "same_tables": {label: compare(home, base, label, args.job)
                              for label, _ in codes[1:]}}
    if args.job == "features":
        result["silver_events"] = json.loads(
            (home / "runs" / ds / "identity.json").read_text()).get("silver_events")
    out = RESULTS / f"{args.job}_job.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    for label, m in per.items():
        job = "    n/a" if m["job_s"] is None else f"{m['job_s']:7.1f}"
        print(f"  {label:<8} median process {m['process_s']:7.1f}s  job {job}s  "
              f"CPU {m['job_cpu_s']:7.1f}s  rows {m['rows']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Lookup-store engines compared on the same snapshot values: why the server uses ``tkv``.

    .venv/bin/python bench/serve_stores.py                  # 1M keys (~1.5 min, ~5 GB peak)
    .venv/bin/python bench/serve_stores.py --users 100000   # quick

Compiles ``--users`` synthetic gold.decisions rows into the stored values a snapshot holds
(``tailor.serving.compile``), writes them with each engine — ``tkv`` (the purpose-built mmap
hash file), ``sqlite`` (both in ``tailor.serving.store``) and LMDB (measured only, if the
``lmdb`` package is installed; not an engine) — and times random lookups of known keys from
Python (best of 5 passes over the same 100k keys), with a plain dict as the floor. No server,
no HTTP: the serving throughput is measured by bench/serve.py. Prints the figures, writes
bench/results/serve_stores.json and prints the same object as its last line.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DS = "2026-10-15"
SAMPLE = 100_000
PASSES = 5


def _write_lmdb(path: Path, keys, values) -> None:
    import lmdb

    env = lmdb.open(str(path), subdir=False, map_size=1 << 36, sync=False, lock=False)
    with env.begin(write=True) as txn:
        txn.cursor().putmulti(sorted(zip(keys.to_pylist(), values.to_pylist())), append=True)
    env.sync(True)
    env.close()


def _lmdb_get(path: Path) -> Callable[[bytes], bytes | None]:
    import lmdb

    return lmdb.open(str(path), subdir=False, readonly=True, lock=False).begin().get


def _engines() -> dict[str, tuple[Callable, Callable]]:
    """name -> (write(path, keys, values), open(path) -> get)."""
    from tailor.serving import store

    engines = {name: (writer, lambda path, reader=reader: reader(path).get)
               for name, (_, writer, reader) in store.ENGINES.items()}
    try:
        import lmdb  # noqa: F401  (measured only; not an engine)
    except ImportError:
        return engines
    engines["lmdb"] = (_write_lmdb, _lmdb_get)
    return engines


def _per_lookup_us(get: Callable, sample: list[bytes]) -> float:
    t0 = time.perf_counter()
    for key in sample:
        get(key)
    return (time.perf_counter() - t0) / len(sample) * 1e6


def measure(users: int, work: Path, seed: int = 0) -> dict:
    """Build time, file size and per-lookup time of each engine on the same keys / values."""
    import pyarrow as pa

    from tailor.config import get_config
    from tailor.serving.compile import compile_values
    from tests.support.synthetic import bulk_decisions

    cfg = get_config()
    table = bulk_decisions(users, DS, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)
    values = compile_values(table, "bench", 1, [], [])
    keys = table["person_id"].cast(pa.binary())
    floor = dict(zip(keys.to_pylist(), values.to_pylist()))
    rng = random.Random(seed)
    sample = rng.choices(list(floor), k=SAMPLE)
    out: dict = {}
    for name, (write, open_get) in _engines().items():
        path = work / f"lookup.{name}"
        t0 = time.perf_counter()
        write(path, keys, values)
        build = time.perf_counter() - t0
        get = open_get(path)
        if get(sample[0]) != floor[sample[0]]:
            raise AssertionError(f"{name} returned a different value for a known key")
        out[name] = {"build_seconds": round(build, 2), "bytes": path.stat().st_size,
                     "lookup_us": round(min(_per_lookup_us(get, sample)
                                            for _ in range(PASSES)), 3)}
    out["dict"] = {"lookup_us": round(min(_per_lookup_us(floor.get, sample)
                                          for _ in range(PASSES)), 3)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "serve_stores.json"))
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tailor-bench-stores-"))
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "users": args.users, "lookups": SAMPLE, "passes": PASSES,
              "machine": {"nproc": os.cpu_count(), "load_avg_start": os.getloadavg()}}
    try:
        result["stores"] = measure(args.users, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for name, row in result["stores"].items():
        size = f"{row['bytes'] / 1e6:6.0f} MB" if "bytes" in row else " " * 9
        build = f"{row['build_seconds']:5.1f} s" if "build_seconds" in row else " " * 7
        print(f"{name:7s} {build} {size} {row['lookup_us']:6.2f} µs/lookup")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

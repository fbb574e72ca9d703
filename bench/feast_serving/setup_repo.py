"""Create and materialise the Feast feature repo for bench/serve.py (run with Feast's python).

    bench/.venvs/feast/bin/python bench/feast_serving/setup_repo.py --repo DIR \
        --source records.parquet --start 2026-10-15T03:00:00 --windows 10 --window-seconds 60

writes ``DIR/feature_store.yaml`` (local provider, file offline store, SQLite online store at
``DIR/data/online_store.db``, online writes in batches of ``--write-batch`` rows) and
``DIR/feature_definitions.py``, runs ``apply``, then ``materialize`` once per window
[start + k·window, start + (k+1)·window) for k < windows — bench/serve.py spreads the rows'
``event_timestamp`` so each window holds ~100k rows: materialising 1M ~0.8 KB rows in one call
took over 6.5 GB and was OOM-killed on a 24 GB machine shared with others. Reads one row back
through the SDK as a smoke check and prints one ``FEASTJSON {...}`` line with the timings, the
peak RSS and the online store's size. ``feast serve`` is started separately by bench/serve.py.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent

FEATURE_STORE_YAML = """\
project: tailor_bench
registry: data/registry.db
provider: local
online_store:
    type: sqlite
    path: data/online_store.db
entity_key_serialization_version: 3
auth:
    type: no_auth
materialization:
    online_write_batch_size: {write_batch}
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repo", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--start", required=True, help="UTC, ISO 8601")
    p.add_argument("--windows", type=int, default=1)
    p.add_argument("--window-seconds", type=int, default=60)
    p.add_argument("--write-batch", type=int, default=50_000)
    p.add_argument("--probe-id", default="c-0000000")
    args = p.parse_args()

    repo = Path(args.repo).resolve()
    (repo / "data").mkdir(parents=True, exist_ok=True)
    (repo / "feature_store.yaml").write_text(
        FEATURE_STORE_YAML.format(write_batch=args.write_batch))
    shutil.copy(HERE / "feature_definitions.py", repo / "feature_definitions.py")
    os.environ["TAILOR_BENCH_SOURCE"] = str(Path(args.source).resolve())

    t0 = time.perf_counter()
    from feast import FeatureStore
    from feast.repo_config import load_repo_config
    from feast.repo_operations import apply_total
    import_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    config = load_repo_config(repo, repo / "feature_store.yaml")
    apply_total(config, repo, skip_source_validation=True)
    apply_s = time.perf_counter() - t0

    store = FeatureStore(repo_path=str(repo))
    start = datetime.fromisoformat(args.start).replace(tzinfo=timezone.utc)
    step = timedelta(seconds=args.window_seconds)
    t0 = time.perf_counter()
    for k in range(args.windows):
        store.materialize(start_date=start + k * step, end_date=start + (k + 1) * step,
                          feature_views=["tailor_decisions"])
    materialize_s = time.perf_counter() - t0

    got = store.get_online_features(features=["tailor_decisions:decision"],
                                    entity_rows=[{"user_id": args.probe_id}]).to_dict()
    decision = got["decision"][0]
    if not decision or not json.loads(decision).get("known"):
        raise SystemExit(f"materialised store has no decision for {args.probe_id}: {got}")
    db = repo / "data" / "online_store.db"
    print("FEASTJSON " + json.dumps({
        "import_s": round(import_s, 2), "apply_s": round(apply_s, 2),
        "materialize_s": round(materialize_s, 2), "materialize_windows": args.windows,
        "online_write_batch_size": args.write_batch, "online_store_bytes": db.stat().st_size,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }), flush=True)


if __name__ == "__main__":
    main()

"""One Feast point-in-time request for bench/pit_join.py — run with Feast's own python
(bench/.venvs/feast/bin/python), one fresh process per request.

    python bench/feast_pit/run_feast.py --store spark|file --repo DIR \
        --entities entities.parquet --features features.parquet --out OUT --ttl-days 90 \
        [--spark-conf '{"spark.master": "local[2]", ...}']

Builds a throwaway feature repo in DIR (one entity ``entity_id``, one feature view ``fv`` of
f0..f9 with ``created`` as Feast's created-timestamp column and the given TTL), applies it, then
times ``get_historical_features`` for every entity row plus writing the full result:
* ``spark``: SparkOfflineStore (SparkSource over the Parquet file; the entity frame is a Spark
  DataFrame read from the same Parquet), result written with ``to_spark_df().write.parquet``;
* ``file``: Feast's default file offline store (FileSource; entity frame as pandas), result
  written with ``to_arrow()`` + ``pyarrow.parquet.write_table``.
Prints one ``FEASTJSON {...}`` line: seconds for setup (apply), request+write (wall and CPU
seconds of the process tree), rows out.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/
from procstats import request_times, tree_cpu_seconds  # noqa: E402

FEATURES = [f"f{i}" for i in range(10)]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--store", choices=["spark", "file"], required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--entities", required=True)
    p.add_argument("--features", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--ttl-days", type=int, default=90)
    p.add_argument("--spark-conf", default="{}")
    p.add_argument("--repeat", type=int, default=1,
                   help="requests in this process: the first is cold, the fastest later one warm")
    args = p.parse_args()
    started = time.time()

    repo = Path(args.repo).resolve()
    shutil.rmtree(repo, ignore_errors=True)
    (repo / "data").mkdir(parents=True)
    spark_conf = json.loads(args.spark_conf)
    if args.store == "spark":
        offline = ("offline_store:\n    type: spark\n    spark_conf:\n" +
                   "".join(f'        {k}: "{v}"\n' for k, v in spark_conf.items()))
    else:
        offline = "offline_store:\n    type: file\n"
    (repo / "feature_store.yaml").write_text(
        "project: tailor_pit_bench\nregistry: data/registry.db\nprovider: local\n" + offline +
        "online_store:\n    type: sqlite\n    path: data/online_store.db\n"
        "entity_key_serialization_version: 3\n")

    from feast import Entity, FeatureStore, FeatureView, Field, FileSource, ValueType
    from feast.types import Float64

    entity = Entity(name="entity", join_keys=["entity_id"], value_type=ValueType.INT64)
    if args.store == "spark":
        from feast.infra.offline_stores.contrib.spark_offline_store.spark_source import SparkSource
        source = SparkSource(name="pit_source", path=str(Path(args.features).resolve()),
                             file_format="parquet", timestamp_field="event_timestamp",
                             created_timestamp_column="created")
    else:
        source = FileSource(name="pit_source", path=str(Path(args.features).resolve()),
                            timestamp_field="event_timestamp", created_timestamp_column="created")
    fv = FeatureView(name="fv", entities=[entity], ttl=timedelta(days=args.ttl_days),
                     schema=[Field(name=f, dtype=Float64) for f in FEATURES], source=source,
                     online=False)
    store = FeatureStore(repo_path=str(repo))
    store.apply([entity, fv])
    refs = [f"fv:{f}" for f in FEATURES]
    times: list[tuple[float, float]] = []

    if args.store == "spark":
        from pyspark.sql import SparkSession
        builder = SparkSession.builder
        for k, v in spark_conf.items():
            builder = builder.config(k, v)
        spark = builder.getOrCreate()       # started before the clock, as for Tailor
        spark.sparkContext.setLogLevel("ERROR")
        setup_s = time.time() - started
        for _ in range(args.repeat):
            t0, c0 = time.time(), tree_cpu_seconds()
            entity_df = spark.read.parquet(str(Path(args.entities).resolve()))
            job = store.get_historical_features(entity_df=entity_df, features=refs)
            job.to_spark_df().write.mode("overwrite").parquet(args.out)
            times.append((time.time() - t0, tree_cpu_seconds() - c0))
        rows_out = spark.read.parquet(args.out).count()
    else:
        import pandas as pd
        import pyarrow.parquet as pq
        setup_s = time.time() - started
        for _ in range(args.repeat):
            t0, c0 = time.time(), tree_cpu_seconds()
            entity_df = pd.read_parquet(args.entities)
            job = store.get_historical_features(entity_df=entity_df, features=refs)
            table = job.to_arrow()
            pq.write_table(table, args.out)
            del table
            times.append((time.time() - t0, tree_cpu_seconds() - c0))
        rows_out = pq.ParquetFile(args.out).metadata.num_rows
    print("FEASTJSON " + json.dumps({"store": args.store, "setup_s": round(setup_s, 2),
                                     "rows_out": rows_out, **request_times(times)}), flush=True)


if __name__ == "__main__":
    main()

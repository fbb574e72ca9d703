"""``make demo``: simulate a world, run the daily DAG through real Airflow, publish, serve, and
print decisions fetched over HTTP for a few users (one opted out of every channel, one unknown).

``make demo DATA=cdnow`` imports the real CDNOW purchases instead of simulating (dates shifted so
the last order day is the usual run date, see :mod:`tailor.importers.cdnow`), runs the same DAG
for that day and fetches decisions for real CDNOW customers picked from the imported data.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from tailor.config import get_config
from tailor.dagrun import airflow_env, print_progress, run_dag

GENERATED = ("lakehouse", "landing", "ground_truth", "world.json", "serving", "runs", "mlflow")


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def serving_lines(run_dir: Path) -> list[str]:
    """Which version serves each model's scores (score.json) and the gate's reason for this
    run's version (train.json), with the models report's path."""
    def load(name: str) -> dict:
        path = run_dir / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else {}

    score, trained = load("score"), load("train")
    served = score.get("model_versions", {})
    lines = [f"  models report: {trained['report']}"] if trained.get("report") else []
    for name, result in trained.get("models", {}).items():
        version = str(served.get(name, "?"))
        what = version if version.startswith("baseline:") else f"champion v{version}"
        this = f"v{result['version']}" if result.get("version") else "nothing trained"
        lines.append(f"    {name:<7} serves {what}; this run {this}: {result.get('reason', '')}"[:300])
    lifetime = score.get("ltv_lifetime")
    if lifetime and lifetime.get("rule") != "same_horizon":
        lines.append(f"    ltv_lifetime = its {lifetime['horizon_days']}-day score carried to "
                     f"{lifetime['lifetime_days']} days by the {lifetime['rule']} rule "
                     f"(models/lifetime.py)")
    return lines


def _step(title: str) -> float:
    print(f"\n\033[1m== {title}\033[0m", flush=True)
    return time.time()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, user: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/decisions/{user}", timeout=10) as r:
        return json.loads(r.read())


def show(label: str, user: str, decision: dict) -> None:
    msg = decision.get("message")
    items = [r["item_id"] for r in decision.get("recommendations", [])]
    what = "no message" if not msg else f"{msg['channel']} at {msg['send_hour']}:00 offer {msg['offer']}"
    print(f"  {label:<26} {user:<12} known={decision.get('known')!s:<5} -> {what}; items {items}")
    print(f"  {'':<26} why: {decision.get('explanation')}")


def serve_and_show(root: Path, examples: dict) -> None:
    port = _free_port()
    server = subprocess.Popen([_bin("tailor"), "serve", "--port", str(port)], env=airflow_env(root),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    output = server.stdout.read() if server.stdout else ""
                    raise RuntimeError("lookup server did not start:\n" + output) from None
                time.sleep(0.3)
        print(f"  server on http://127.0.0.1:{port} (GET /v1/decisions/USER)")
        for label, user in examples:
            show(label, user, fetch(port, user))
    finally:
        server.terminate()
        server.wait(timeout=20)
        print("  server stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tailor end-to-end demo")
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", default="sim", choices=["sim", "cdnow"],
                        help="sim: the simulated world; cdnow: the real CDNOW purchases "
                             "(23,570 customers, `tailor import cdnow`)")
    args = parser.parse_args(argv)
    cfg = get_config()
    root = Path(cfg.root)
    started = time.time()

    start = date.fromisoformat(cfg.simulator.start_date)
    ds = (start + timedelta(days=args.days - 1)).isoformat()
    if args.data == "cdnow":
        t = _step(f"data: CDNOW (real purchases), last order day shifted to {ds} (fresh state)")
    else:
        t = _step(f"world: {args.users} users x {args.days} days, seed {args.seed} (fresh state)")
    for name in GENERATED:
        shutil.rmtree(root / name, ignore_errors=True) if (root / name).is_dir() else \
            (root / name).unlink(missing_ok=True)
    if args.data == "cdnow":
        from tailor.importers.cdnow import import_cdnow

        report = import_cdnow(cfg.landing_dir, end_date=date.fromisoformat(ds))
        ds = report.last_day or ds
        print(f"  {report.events} events for {report.customers} customers in landing/ "
              f"({report.first_day}..{report.last_day}, {len(report.files)} files, "
              f"{report.rejected} rejected; {time.time() - t:.0f}s); DAG run for ds={ds}")
    else:
        from tailor.simulator import simulate

        summary = simulate(users=args.users, days=args.days, seed=args.seed, out_dir=str(root),
                           items=cfg.simulator.items, start_date=start.isoformat(), progress=True)
        # the identity job judges itself against the simulator's ground truth
        os.environ.setdefault("TAILOR__IDENTITY__GROUND_TRUTH",
                              str(root / "ground_truth" / "identity.parquet"))
        print(f"  {summary.get('events', '?')} events in landing/ ({time.time() - t:.0f}s); "
              f"DAG run for ds={ds}")

    t = _step("airflow: dags test personalization_daily (real scheduler code, SQLite metadata DB)")
    log = root / "runs" / "demo-airflow.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"  one line per task as it ends (the whole log: {log.relative_to(root)})", flush=True)
    run = run_dag(root, ds, log, progress=print_progress())
    print(f"  DAG run: {run.state}, {run.message} ({time.time() - t:.0f}s; log: "
          f"{log.relative_to(root)})")
    if not run.ok:
        print(f"  the DAG run did not succeed: {run.message} (log: {log})", file=sys.stderr)
        return 1
    for job in ("ingest", "identity", "features", "drift", "train", "train_policy", "decide"):
        record = root / "runs" / ds / f"{job}.json"
        if record.exists():
            data = json.loads(record.read_text())
            data.pop("job", None)
            print(f"  {job}: {json.dumps(data, default=str)[:400]}")
    for line in serving_lines(root / "runs" / ds):
        print(line)
    report = root / "runs" / ds / "policy_report.json"
    if report.exists():
        data = json.loads(report.read_text())
        print(f"  policy report: {Path(data['report']).relative_to(root)}")
        for line in data.get("summary", []):
            if line:
                print(f"    {line}")

    t = _step("serve: lookup server on the published snapshot, decisions over HTTP")
    if args.data == "cdnow":
        examples = cdnow_examples(Path(cfg.landing_dir), ds) + [("unknown user", "NOBODY-123")]
    else:
        world = json.loads((root / "world.json").read_text())
        ex = world.get("examples", {})
        active = list(ex.get("active", []))[:2]
        opted_out = list(ex.get("opted_out_everywhere", []))[:1]
        examples = [("active customer", u) for u in active] + \
            [("opted out of every channel", u) for u in opted_out] + [("unknown user", "NOBODY-123")]
    serve_and_show(root, examples)
    what = "CDNOW" if args.data == "cdnow" else f"world {args.users} users x {args.days} days"
    print(f"\ndemo finished in {time.time() - started:.0f}s ({what}). "
          f"Try: .venv/bin/tailor sql --list")
    return 0


def cdnow_examples(landing: Path, ds: str) -> list[tuple[str, str]]:
    """Real CDNOW customers from the imported landing files: the one with the most orders,
    one who bought on the run day, and one who has not bought for a year (lapsed)."""
    import polars as pl

    frame = pl.concat([pl.read_ndjson(p, schema={"customer_id": pl.String, "ts": pl.String})
                       for p in sorted(landing.glob("events-*.jsonl"))])
    per = (frame.group_by("customer_id")
           .agg(pl.len().alias("orders"), pl.col("ts").max().str.slice(0, 10).alias("last"))
           .sort(["orders", "customer_id"], descending=[True, False]))
    top = per.row(0, named=True)["customer_id"]
    today = per.filter((pl.col("last") == ds) & (pl.col("customer_id") != top)).sort("customer_id")
    cutoff = (date.fromisoformat(ds) - timedelta(days=365)).isoformat()
    lapsed = per.filter(pl.col("last") < cutoff).sort("customer_id")
    out = [("most orders (CDNOW)", top)]
    if today.height:
        out.append(("bought on the run day", today.row(0, named=True)["customer_id"]))
    if lapsed.height:
        out.append(("lapsed > 1 year", lapsed.row(0, named=True)["customer_id"]))
    return out


if __name__ == "__main__":
    sys.exit(main())

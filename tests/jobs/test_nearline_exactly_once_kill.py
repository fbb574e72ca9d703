"""nearline_ingest is exactly once across a SIGKILL in the middle of a micro-batch.

A subprocess runs the real job (one landing file per micro-batch) and is killed in the worst
spot: batch 1 has committed its bronze rows but not yet ops.ingest_log. The rerun replays batch 1
from the checkpoint and drains the rest; every landing event must be in bronze exactly once, every
malformed line in quarantine once, and every file in ops.ingest_log once.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from tailor.runtime import execute

REPO = Path(__file__).resolve().parents[2]
DS = "2026-09-03"

# Runs the job with a fault point: after the 2nd bronze.events commit, say so and hang.
DRIVER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import tailor.lakehouse as lakehouse
    from tailor.config import load_config
    from tailor.runtime import execute
    import tailor.jobs.nearline_ingest as job

    marker, ds = Path(sys.argv[1]), sys.argv[2]
    original, bronze_commits = lakehouse.Lakehouse.write, []

    def write(self, df, name, *args, **kwargs):
        result = original(self, df, name, *args, **kwargs)
        if name == "bronze.events":
            bronze_commits.append(result.version)
            if len(bronze_commits) == 2:
                marker.write_text(str(result.version))
                time.sleep(3600)  # killed here: bronze committed, ops.ingest_log not yet
        return result

    lakehouse.Lakehouse.write = write
    execute("nearline_ingest", job.run, ds, cfg=load_config())
""")


def _event(i, **kw):
    e = {"event_id": f"e{i}", "event_type": "view", "ts": "2026-09-03T10:00:00Z",
         "anonymous_id": f"a{i % 3}", "item_id": "I1"}
    e.update(kw)
    return json.dumps(e)


def _landing(landing: Path) -> dict[str, list[str]]:
    """Four files (one with a sub-directory), written oldest first; returns name → lines."""
    files = {
        "events-2026-09-03-000.jsonl": [_event(1), _event(2), "{broken"],
        "events-2026-09-03-001.jsonl": [_event(3), _event(4), _event(1)],  # e1 again
        "2026-09-03/events-2026-09-03-002.jsonl": [_event(5), _event(5), _event(6)],
        "events-2026-09-03-003.jsonl": [_event(7, ts="2026-09-02T23:59:00Z"), "[]"],
    }
    for i, (name, lines) in enumerate(files.items()):
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        os.utime(path, (1_800_000_000 + i, 1_800_000_000 + i))  # stream order = this order
    return files  # stream order; ops.ingest_log names files relative to the landing root


def test_kill_mid_batch_then_rerun_ingests_every_event_and_file_exactly_once(spark, cfg, tmp_path,
                                                                           wait_until):
    import tailor.jobs.nearline_ingest as job
    from tailor.lakehouse import Lakehouse

    cfg = cfg.model_copy(update={
        "nearline": cfg.nearline.model_copy(update={"max_files_per_trigger": 1}),
        "quality": cfg.quality.model_copy(update={"max_quarantine_share": 0.9})})
    files = _landing(Path(cfg.landing_dir))
    driver, marker = tmp_path / "driver.py", tmp_path / "killed_here"
    driver.write_text(DRIVER)
    env = {**os.environ, "TAILOR_HOME": str(REPO), "PYTHONPATH": str(REPO),
           "TAILOR__PATHS__LAKEHOUSE": cfg.lakehouse_root, "TAILOR__PATHS__LANDING": cfg.landing_dir,
           "TAILOR__PATHS__RUNS": cfg.runs_dir, "TAILOR__SPARK__MASTER": "local[1]",
           "TAILOR__SPARK__SHUFFLE_PARTITIONS": "2", "TAILOR__SPARK__DRIVER_MEMORY": "1g",
           "TAILOR__NEARLINE__MAX_FILES_PER_TRIGGER": "1",
           "TAILOR__QUALITY__MAX_QUARANTINE_SHARE": "0.9"}
    proc = subprocess.Popen([sys.executable, str(driver), str(marker), DS], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        def reached_fault_point() -> bool:
            assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
            return marker.exists()

        wait_until(reached_fault_point, timeout=600, interval=0.5,
                   what="the job reaching the fault point")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the job's own process group (python + its JVM)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    lh = Lakehouse(cfg, spark)
    order = list(files)
    logged = lh.read_arrow("ops.ingest_log").column("landing_file").to_pylist()
    assert logged == order[:1]  # batch 0 logged; batch 1 (killed) not
    in_bronze = {r.event_id for r in lh.read("bronze.events").select("event_id").collect()}
    assert {"e3", "e4"} <= in_bronze  # batch 1's rows were committed before the kill

    summary = execute("nearline_ingest", job.run, DS, cfg=cfg, spark=spark)
    assert summary["files"] == 3  # batch 1 replayed + the two files never started

    good = {json.loads(line)["event_id"] for lines in files.values() for line in lines
            if line.startswith('{"')}
    ids = Counter(r.event_id for r in lh.read("bronze.events").select("event_id").collect())
    assert set(ids) == good and set(ids.values()) == {1}
    log = Counter(lh.read_arrow("ops.ingest_log").column("landing_file").to_pylist())
    assert set(log) == set(files) and set(log.values()) == {1}
    quarantine = lh.read_arrow("bronze.quarantine").to_pylist()
    assert sorted(q["raw_line"] for q in quarantine) == ["[]", "{broken"]
    rows = {r["landing_file"]: (r["rows_good"], r["rows_quarantined"])
            for r in lh.read_arrow("ops.ingest_log").to_pylist()}
    assert [rows[f] for f in order] == [(2, 1), (3, 0), (3, 0), (1, 1)]

"""jobs/validate with several tables checks ``quality.parallel_tables`` of them at a time, each
in a forked process of its own, and reports exactly what checking them one after another
reports. Forking is only safe before the process has started delta-rs' runtime (a job process,
not this test process, which wrote the tables): run in a fresh Python, as the job runs."""
from __future__ import annotations

import json
import subprocess
import sys

from tailor.jobs import validate

DS = "2026-10-02"  # the day tests/jobs/conftest.py::validate_cfg writes
TABLES = "ops.ingest_log,gold.user_scores"

SCRIPT = """
import json, os, sys
from tailor.config import load_config
from tailor.jobs import validate

root, lakehouse, runs, ds, tables = sys.argv[1:]
checked = validate._validate_one

def where(table, *args, **kwargs):   # forked children inherit this
    return {**checked(table, *args, **kwargs), "pid": os.getpid()}

validate._validate_one = where
out = {"me": os.getpid()}
for workers in (2, 1):   # parallel first: the serial run starts delta-rs' runtime here
    cfg = load_config(root=root, overrides={
        "paths": {"lakehouse": lakehouse, "runs": runs},
        "quality": {"parallel_tables": workers, "fail_on_breach": False}})
    out[workers] = validate.check(tables, ds, cfg, data_docs=False)
print("RESULT " + json.dumps(out, default=str))
"""


def _comparable(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k not in ("pid",)}


def test_parallel_tables_report_what_one_after_another_reports(validate_cfg):
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(validate_cfg.root),
                          validate_cfg.paths.lakehouse, validate_cfg.paths.runs, DS, TABLES],
                         capture_output=True, text=True, timeout=300)
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-2000:]
    out = json.loads(line.split(" ", 1)[1])
    parallel, serial = out["2"], out["1"]
    pids = {name: r["pid"] for name, r in parallel["results"].items()}
    assert {r["pid"] for r in serial["results"].values()} == {out["me"]}   # here, in order
    assert out["me"] not in pids.values() and len(set(pids.values())) == 2  # two children
    for name in TABLES.split(","):
        assert _comparable(parallel["results"][name]) == _comparable(serial["results"][name])
    assert parallel["breached"] == serial["breached"] == ["gold.user_scores"]
    assert list(parallel["results"]) == list(serial["results"]) == TABLES.split(",")
    with open(parallel["index"]) as index:                              # written once, after
        assert "gold.user_scores" in index.read()


def test_after_delta_rs_started_here_the_tables_are_checked_here(validate_cfg):
    """This process wrote the tables with delta-rs (its runtime's threads run): a forked
    child would panic, so the contracts run one after another in this process."""
    assert not validate._fork_safe()
    quality = validate_cfg.quality.model_copy(update={"parallel_tables": 2,
                                                      "fail_on_breach": False})
    out = validate.check(TABLES, DS, validate_cfg.model_copy(update={"quality": quality}),
                         data_docs=False)
    assert out["breached"] == ["gold.user_scores"] and not out["errors"]

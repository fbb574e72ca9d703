"""bench/dag_scale.py --resume: a stopped run owes exactly the tasks that did not succeed, in an
order the DAG allows, between its shared Spark's start and stop; the sittings add up."""
from bench.dag_scale import unfinished, with_sitting

UPSTREAM = {"spark_start": [], "ingest": ["spark_start"], "train": ["ingest"],
            "score": ["train"], "report": ["ingest"], "decide": ["score", "report"],
            "spark_stop": ["decide"]}


def test_only_tasks_that_did_not_succeed_run_again_in_dependency_order():
    states = {"spark_start": "success", "ingest": "success", "train": "success",
              "report": "success", "score": "failed", "decide": "upstream_failed",
              "spark_stop": "success"}
    assert unfinished(UPSTREAM, states) == ["spark_start", "score", "decide", "spark_stop"]


def test_a_run_with_no_records_owes_every_task_upstream_first():
    todo = unfinished(UPSTREAM, {})
    assert todo[0] == "spark_start" and todo[-1] == "spark_stop" and len(todo) == len(UPSTREAM)
    for task, ups in UPSTREAM.items():
        assert all(todo.index(u) < todo.index(task) for u in ups)


def test_sittings_add_their_wall_time_and_keep_the_largest_peak():
    first = {"users": 10, "dag_s": 100.0, "peak_mb": 900, "status": "stopped: ...",
             "tasks": {"ingest": 90.0}, "events": 5}
    second = {"users": 10, "dag_s": 40.0, "peak_mb": 700, "status": "ok",
              "tasks": {"ingest": 90.0, "score": 30.0}}
    merged = with_sitting(first, second)
    assert merged["dag_s"] == 140.0 and merged["peak_mb"] == 900 and merged["status"] == "ok"
    assert merged["events"] == 5 and merged["tasks"] == second["tasks"]
    assert "note" not in with_sitting({**first, "note": "about the first sitting"}, second)
    assert [s["status"] for s in merged["sittings"]] == ["stopped: ...", "ok"]
    third = with_sitting(merged, {"users": 10, "dag_s": 1.0, "peak_mb": 1, "status": "ok"})
    assert len(third["sittings"]) == 3 and third["dag_s"] == 141.0


def test_a_size_never_run_before_is_its_own_sitting():
    now = {"users": 10, "dag_s": 5.0, "status": "ok"}
    assert with_sitting(None, now) == now

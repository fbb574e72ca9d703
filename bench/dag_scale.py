"""How the daily DAG scales with customers: the real DAG, through Airflow, as ``make demo`` runs
it, on simulated worlds of 10k, 100k and 1M customers (× 30 days by default).

For each size: simulate the world into its own folder (``bench/.data/dag_scale/<users>x<days>``),
run ``personalization_daily`` for its last day (``airflow dags test``, one Spark shared by the
run's tasks as the DAG does by default), and read back per task from ``ops.runs`` its wall time,
CPU-seconds (the task's process tree and the shared Spark it used), peak RSS and rows in / out.
While the DAG runs, a sampler adds up the resident memory of the whole tree (Airflow, every task,
the Spark server and its Python workers) every 2 s: ``peak_mb`` is the largest sum seen. A size
that fails (a task fails, memory runs out) is reported with what happened and the tasks that
finished; larger sizes still run unless ``--stop-on-failure``. The JSON is rewritten after each
size, so a run stopped during 1M keeps the smaller sizes. ``--deadline-s`` bounds one size's DAG:
when it is reached, the DAG run is stopped (the running task with it) and the size is reported
``stopped`` with the tasks that finished, their figures and the task that was running, so a run
that cannot finish in the time there is still says how far it got; ``--resume`` finishes it
later on the kept world (the tasks the run still owes, :func:`resume_size`), and the size's
entry in ``--out`` adds the sittings up.

Prints a table per size and, last, one JSON object (also ``bench/results/dag_scale.json``) with
per size ``users``, ``events``, ``dag_s``, ``peak_mb``, ``tasks`` (task → seconds), ``status``,
``started_utc`` and ``commit`` (the code measured; ``-dirty`` when the tree had changes); and
``growth_10x`` (DAG time ratio per 10× customers, between consecutive finished sizes).
``--combine`` puts sizes measured by separate invocations (one size a night, say) into one
summary with their growth, each size saying which file it came from.

    .venv/bin/python bench/dag_scale.py                          # 10k, 100k, 1M x 30 days
    .venv/bin/python bench/dag_scale.py --sizes 10000 --days 30  # one size
    TAILOR__MODELS__TRAINING_CUTOFFS=6 .venv/bin/python bench/dag_scale.py --sizes 3000 \
        --days 90 --out bench/results/x.json                     # any config, said in the JSON
    .venv/bin/python bench/dag_scale.py --sizes 1000000 --deadline-s 9000 \
        --out bench/results/dag_scale_1m.json                    # as far as 2.5 h gets
    .venv/bin/python bench/dag_scale.py --sizes 1000000 --resume \
        --out bench/results/dag_scale_1m.json                    # ... and the rest, later
    .venv/bin/python bench/dag_scale.py --sizes 100000 --next-day \
        --out bench/results/x.json                               # + the day after, on its lakehouse
    .venv/bin/python bench/dag_scale.py --combine bench/results/a.json bench/results/b.json
                                                                 # sizes run apart, one summary

``--next-day`` simulates one day more and holds that day's landing files back from the first run;
then it delivers them and runs the DAG for that day on the lakehouse the first run left (the
size's ``next_day`` entry, same figures): the first run ingests, resolves and featurises the
whole history, the next one is what an operator then pays each day. Both runs keep the feature
days an earlier run wrote (``TAILOR__CLOCK__REPLAY_KEEP_WRITTEN=true``), as the live clock does.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
DATA = REPO / "bench" / ".data" / "dag_scale"


class TreeMemory(threading.Thread):
    """Samples the summed RSS of this process and every process below it — Airflow and the task
    it runs — plus those of ``extra()`` (pids, e.g. the Spark Connect server, which runs in its
    own session)."""

    def __init__(self, extra, every_s: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.extra, self.every_s = extra, every_s
        self.peak_bytes = 0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        while not self.done.wait(self.every_s):
            procs = []
            for pid in [os.getpid(), *self.extra()]:
                try:
                    p = psutil.Process(pid)
                    procs += [p, *p.children(recursive=True)]
                except psutil.Error:
                    continue
            total = 0
            for p in {p.pid: p for p in procs}.values():
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_bytes = max(self.peak_bytes, total)


class Deadline:
    """Stops the DAG run once ``seconds`` have passed: terminates this process's children
    started inside it (``airflow dags test`` and the task it runs; the Spark Connect server, in
    its own session, is stopped by the caller; children that were there before, e.g. a test
    session's Spark, are left alone) and remembers that it did. Not ``tailor.daemons.terminate``: it
    signals process groups, and ``airflow dags test`` runs in this process's own group."""

    def __init__(self, seconds: float | None) -> None:
        self.fired = False
        self.timer = threading.Timer(seconds, self._stop) if seconds else None
        self.before: set[int] = set()   # children that were there first are not the run's

    def __enter__(self) -> "Deadline":
        import psutil

        self.before = {c.pid for c in psutil.Process().children(recursive=True)}
        if self.timer:
            self.timer.daemon = True
            self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.timer:
            self.timer.cancel()

    def _stop(self) -> None:
        import psutil

        self.fired = True
        children = [c for c in psutil.Process().children(recursive=True)
                    if c.pid not in self.before]
        for child in children:
            try:
                child.terminate()
            except psutil.Error:
                pass
        # not psutil.wait_procs, which would reap children that their own parents wait on
        end = time.monotonic() + 30
        while time.monotonic() < end and any(map(_running, children)):
            time.sleep(0.2)
        for child in filter(_running, children):
            try:
                child.kill()
            except psutil.Error:
                pass


def _running(proc) -> bool:  # noqa: ANN001 - a psutil.Process
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _env(world: Path) -> dict[str, str]:
    """The world's own lakehouse, runs, MLflow and Airflow; the repo's conf/ and dags/."""
    from tailor.dagrun import world_env

    return {**world_env(world, REPO / "dags"), "TAILOR__QUALITY__DATA_DOCS": "false"}


@contextmanager
def _world_environment(world: Path, extra: dict[str, str] | None = None):
    """Jobs, Airflow and MLflow see the world's folders (and ``extra`` settings) while inside;
    the environment is put back after."""
    saved = dict(os.environ)
    os.environ.update({**_env(world), **(extra or {})})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _last_day(cfg, days: int) -> str:  # noqa: ANN001 - a tailor.config.Config
    """The ds a world of ``days`` days is run for: its last day."""
    return (date.fromisoformat(cfg.simulator.start_date) + timedelta(days=days - 1)).isoformat()


def _memory(cfg) -> TreeMemory:  # noqa: ANN001 - a tailor.config.Config
    """A started sampler of this process's tree and those of the shared Spark server and job
    host (the jobs run in children of the host)."""
    from tailor import spark_connect
    from tailor.jobhost import service

    def server_pids() -> list[int]:
        server, host = spark_connect.live(cfg), service.live(cfg)
        return [p.pid for p in (server, host) if p]

    sampler = TreeMemory(server_pids)
    sampler.start()
    return sampler


def run_size(users: int, days: int, seed: int, deadline_s: float | None = None,
             next_day: bool = False) -> dict:
    """Simulate the world and run the DAG for its last day. With ``next_day`` the world has one
    day more, whose landing files are held back from that first run and delivered after it; the
    DAG then runs for that day on the lakehouse the first run left (``out["next_day"]``): what an
    operator pays each day once the history is in, beside what the first run over it cost.
    Both runs keep the feature days an earlier run wrote (``clock.replay_keep_written``), as the
    live clock does."""
    from tailor.config import load_config
    from tailor.simulator import simulate

    world = DATA / (f"{users}x{days}-s{seed}" + ("-next" if next_day else ""))
    shutil.rmtree(world, ignore_errors=True)
    (world / "mlflow").mkdir(parents=True)
    out: dict = {"users": users, "days": days, "seed": seed, **provenance()}
    extra = {"TAILOR__CLOCK__REPLAY_KEEP_WRITTEN": "true"} if next_day else {}
    with _world_environment(world, extra):
        try:
            cfg = load_config(root=REPO)
            ds, following = _last_day(cfg, days), _last_day(cfg, days + 1)
            t = time.monotonic()
            sim = simulate(users=users, days=days + (1 if next_day else 0), seed=seed,
                           out_dir=str(world), progress=False)
            out.update(ds=ds, events=int(sim.get("events", 0)),
                       simulate_s=round(time.monotonic() - t, 1))
            held = _hold_back(world, following) if next_day else []
            print(f"  simulated {out['events']:,} events in {out['simulate_s']:.0f} s; "
                  f"DAG for ds={ds}" + (f" ({len(held)} files of the next day held back)"
                                        if next_day else ""), flush=True)
            out.update(_measured_run(cfg, ds, world, deadline_s))
            if next_day and out["status"] == "ok":
                for path in held:
                    path.rename(world / "landing" / path.name)
                print(f"  next day: {len(held)} landing files delivered; DAG for ds={following}",
                      flush=True)
                out["next_day"] = {"ds": following, "files": len(held),
                                   "config_env": extra,
                                   **_measured_run(cfg, following, world, deadline_s)}
        except MemoryError:
            out["status"] = "failed: out of memory (in the bench process)"
        except Exception as exc:  # noqa: BLE001 - a size that fails is a result, not a crash
            out["status"] = f"failed: {type(exc).__name__}: {exc}"[:500]
    return out


def _hold_back(world: Path, day: str) -> list[Path]:
    """Move the landing files of ``day`` aside (``world/held``) → where they are now."""
    held = world / "held"
    held.mkdir()
    moved = []
    for path in sorted((world / "landing").glob(f"events-{day}-*.jsonl")):
        moved.append(path.rename(held / path.name))
    if not moved:
        raise RuntimeError(f"the simulator wrote no landing file for {day} under {world}/landing")
    return moved


def _measured_run(cfg, ds: str, world: Path, deadline_s: float | None) -> dict:  # noqa: ANN001
    """Run the DAG for ``ds`` on the world, sampling memory → dag_s, peak_mb, status and the
    tasks' figures from ops.runs."""
    from tailor.dagrun import print_progress, run_dag, stop_shared

    out: dict = {}
    sampler = _memory(cfg)
    shown, running = print_progress(), []

    def progress(p) -> None:  # noqa: ANN001 - a tailor.dagrun.TaskProgress
        if p.seconds is None:
            running.append(p.task_id)
        elif p.task_id in running:
            running.remove(p.task_id)
        shown(p)

    t = time.monotonic()
    try:
        with Deadline(deadline_s) as deadline:
            result = run_dag(REPO, ds, world / "airflow-run.log", progress=progress)
    finally:
        sampler.done.set()
        stop_shared(cfg)
    out["dag_s"] = round(time.monotonic() - t, 1)
    out["peak_mb"] = round(sampler.peak_bytes / 2**20)
    out["status"] = "ok" if result.ok else f"failed: {result.message}"
    if deadline.fired:
        out["status"] = (f"stopped: the deadline of {deadline_s:.0f} s was reached while "
                         f"{', '.join(running) or 'no task'} ran")
    _read_tasks(out, cfg, ds)
    return out


# What each of the DAG's tasks waits for (its serialised form in Airflow's metadata DB); the
# tasks' states in a run come from tailor.dagrun.read_run
_UPSTREAM = """
import json, sys
from airflow.models.serialized_dag import SerializedDagModel
from airflow.utils.session import create_session

with create_session() as session:
    dag = SerializedDagModel.get(sys.argv[1], session=session).dag
    print("TAILOR_UPSTREAM " + json.dumps({t.task_id: sorted(t.upstream_task_ids)
                                           for t in dag.tasks}))
"""


def _upstream(env: dict[str, str], dag_id: str) -> dict[str, list[str]]:
    """Task → the tasks it waits for, as Airflow has the DAG."""
    import subprocess

    read = subprocess.run([sys.executable, "-c", _UPSTREAM, dag_id], env=env,
                          capture_output=True, text=True)
    line = next((ln for ln in read.stdout.splitlines() if ln.startswith("TAILOR_UPSTREAM ")), None)
    if line is None:
        raise RuntimeError(f"could not read the DAG {dag_id}: {read.stderr.strip()[-800:]}")
    return json.loads(line.split(" ", 1)[1])


def unfinished(upstream: dict[str, list[str]], states: dict[str, str | None],
               setup: str = "spark_start", teardown: str = "spark_stop") -> list[str]:
    """The tasks a stopped run still owes, in an order the DAG allows: every task that did not
    succeed, after ``setup`` (the run's shared Spark died with the stop, so it always runs
    again) and with ``teardown`` last."""
    from graphlib import TopologicalSorter

    order = [t for t in TopologicalSorter(upstream).static_order() if t not in (setup, teardown)]
    return [setup, *(t for t in order if states.get(t) != "success"), teardown]


def provenance() -> dict:
    """When a size's run started (UTC) and the code it measured: the commit, ``-dirty`` if the
    working tree had uncommitted changes to tracked files (None outside a git checkout)."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    commit = git("rev-parse", "--short=12", "HEAD")
    if commit and git("status", "--porcelain", "--untracked-files=no"):
        commit += "-dirty"
    return {"started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "commit": commit}


def resume_size(users: int, days: int, seed: int, deadline_s: float | None = None) -> dict:
    """Finish the DAG run of a size that a deadline (or a person) stopped, in a second sitting:
    the world and its lakehouse are kept (no new simulation), and the tasks the run still owes
    (:func:`unfinished`) run one by one with ``airflow tasks test``, so each runs the command
    its Airflow task runs, with ``{{ ds }}`` rendered by Airflow. Airflow 3 records the tasks'
    states (the run's own state stays as the stop left it); ``ops.runs`` has their figures.
    ``dag_s`` is this sitting's wall time."""
    import subprocess

    from tailor.config import load_config
    from tailor.dagrun import DAG_ID, airflow_env, read_run, stop_shared

    world = DATA / f"{users}x{days}-s{seed}"
    if not (world / "world.json").exists():
        raise SystemExit(f"no world to resume at {world}: run the size without --resume first")
    out: dict = {"users": users, "days": days, "seed": seed, **provenance()}
    with _world_environment(world):
        try:
            cfg = load_config(root=REPO)
            ds = _last_day(cfg, days)
            env = airflow_env(REPO, cfg.airflow)
            todo = unfinished(_upstream(env, DAG_ID), read_run(REPO, ds).tasks)
            out.update(ds=ds, resumed=todo)
            print(f"  resuming ds={ds}: {', '.join(todo)}", flush=True)

            sampler = _memory(cfg)
            airflow = str(Path(sys.executable).with_name("airflow"))
            failed, running = None, "no task"
            t = time.monotonic()
            try:
                with Deadline(deadline_s) as deadline, open(world / "airflow-run.log", "a") as log:
                    for task in todo:
                        running, t_task = task, time.monotonic()
                        print(f"  {task} ...", flush=True)
                        rc = subprocess.run([airflow, "tasks", "test", DAG_ID, task, ds], env=env,
                                            stdout=log, stderr=log).returncode
                        print(f"  {task} {'ok' if rc == 0 else f'failed (exit {rc})'} in "
                              f"{time.monotonic() - t_task:.0f} s", flush=True)
                        if rc != 0:
                            failed = task
                            break
            finally:
                sampler.done.set()
                stop_shared(cfg)
            out["dag_s"] = round(time.monotonic() - t, 1)
            out["peak_mb"] = round(sampler.peak_bytes / 2**20)
            out["status"] = ("ok" if failed is None
                             else f"failed: {failed} (see {world}/airflow-run.log)")
            if deadline.fired:
                out["status"] = (f"stopped: the deadline of {deadline_s:.0f} s was reached while "
                                 f"{running} ran")
            _read_tasks(out, cfg, ds)
        except Exception as exc:  # noqa: BLE001 - a size that fails is a result, not a crash
            out["status"] = f"failed: {type(exc).__name__}: {exc}"[:500]
    return out


def _read_tasks(out: dict, cfg, ds: str) -> None:  # noqa: ANN001 - a tailor.config.Config
    """Per task, from ``ops.runs``: seconds of its successful run, and every run's figures."""
    from tailor.runlog import read_runs

    runs = read_runs(cfg, ds)
    out["tasks"] = {r["task"]: r["wall_seconds"] for r in runs if r["status"] == "success"}
    out["task_detail"] = {r["task"]: {k: r.get(k) for k in (
        "status", "wall_seconds", "cpu_seconds", "peak_rss_mb", "rows_in", "rows_out")}
        for r in runs}


def with_sitting(earlier: dict | None, now: dict) -> dict:
    """A resumed size's entry: this sitting's figures (and the world's ``events``), every
    sitting's own under ``sittings``, ``dag_s`` their wall times added up (including the attempt
    a stop cut short) and ``peak_mb`` the largest of them."""
    if not earlier:
        return now
    sittings = [*earlier.get("sittings", [{k: v for k, v in earlier.items()
                                            if k not in ("tasks", "task_detail", "sittings")}]),
                {k: v for k, v in now.items() if k not in ("tasks", "task_detail")}]
    world = {k: earlier[k] for k in ("events", "simulate_s") if k in earlier}
    return {**world, **now, "sittings": sittings,
            "dag_s": round(sum(s.get("dag_s") or 0 for s in sittings), 1),
            "peak_mb": max(s.get("peak_mb") or 0 for s in sittings)}


def _print_tasks(res: dict) -> None:
    for task, d in res.get("task_detail", {}).items():
        print(f"    {task:<26} {d['status']:<8} {d['wall_seconds'] or 0:8.1f} s "
              f"{d['cpu_seconds'] or 0:9.1f} CPU-s {d['peak_rss_mb'] or 0:8.0f} MB "
              f"in {d['rows_in'] or '-'} out {d['rows_out'] or '-'}")


def growth(sizes: list[dict]) -> list[dict]:
    """DAG time ratio per 10× customers between consecutive finished sizes."""
    import math

    done = [s for s in sizes if s.get("status") == "ok"]
    return [{"from": a["users"], "to": b["users"],
             "ratio_per_10x": round((b["dag_s"] / a["dag_s"])
                                    ** (1 / math.log10(b["users"] / a["users"])), 2)}
            for a, b in zip(done, done[1:])]


def combine(summaries: list[tuple[str, dict]]) -> dict:
    """One summary of sizes measured by separate invocations (``(name, summary)`` pairs, in the
    order given): every finished or failed size once — a size in several summaries is taken
    from the last — sorted by customers, each with ``source`` (its file) and ``date`` (its
    summary's, unless the size has its own), and ``growth_10x`` over them. The summaries must
    share their days and configuration overrides: growth across different worlds is not one."""
    if not summaries:
        raise ValueError("--combine needs at least one summary file")
    first_name, first = summaries[0]
    by_users: dict[int, dict] = {}
    for name, summary in summaries:
        for key in ("days", "config_env"):
            if summary.get(key) != first.get(key):
                raise ValueError(f"{name} has {key}={summary.get(key)!r}, {first_name} has "
                                 f"{first.get(key)!r}: only runs of the same world setup combine")
        for size in summary.get("sizes", []):
            by_users[size["users"]] = {**size, "source": name,
                                       "date": size.get("date", summary.get("date"))}
    sizes = [by_users[u] for u in sorted(by_users)]
    return {"date": time.strftime("%Y-%m-%d"), "cpus": first.get("cpus"), "days": first.get("days"),
            "config_env": first.get("config_env", {}), "combined_from": [n for n, _ in summaries],
            "sizes": sizes, "growth_10x": growth(sizes)}


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it (as the JSON says it)."""
    full = path.resolve()
    return str(full.relative_to(REPO)) if full.is_relative_to(REPO) else str(path)


def _save(summary: dict, path: Path) -> None:
    """The summary, whole (per-task details too), as ``--out``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n")


def _print_summary(summary: dict) -> None:
    """The last line: the summary as one JSON object, without the per-task details."""
    print(json.dumps({**summary, "sizes": [{k: v for k, v in s.items() if k != "task_detail"}
                                           for s in summary["sizes"]]}, default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="customers per world")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--stop-on-failure", action="store_true")
    parser.add_argument("--deadline-s", type=float, default=None,
                        help="stop a size's DAG after this many seconds and report how far it got")
    parser.add_argument("--out", type=Path, default=RESULTS / "dag_scale.json",
                        help="where the JSON goes (default bench/results/dag_scale.json)")
    parser.add_argument("--next-day", action="store_true",
                        help="simulate one day more, hold its landing files back from the first "
                             "run, then deliver them and run the DAG for that day too (the daily "
                             "cost once the history is in: the size's next_day entry)")
    parser.add_argument("--resume", action="store_true",
                        help="finish the stopped DAG run of each size on its kept world (no new "
                             "simulation); --out's entry for the size gains this sitting")
    parser.add_argument("--combine", nargs="+", type=Path, metavar="JSON",
                        help="write one summary of these earlier --out files (sizes run apart) "
                             "to --out, with growth_10x over them; runs nothing")
    args = parser.parse_args(argv)
    if args.combine:
        try:
            summary = combine([(_shown(p), json.loads(p.read_text())) for p in args.combine])
        except (OSError, ValueError) as exc:
            parser.error(str(exc))
        _save(summary, args.out)
        for size in summary["sizes"]:
            print(f"{size['users']:>9,} customers: {size.get('status')}, DAG {size.get('dag_s')} s, "
                  f"peak {size.get('peak_mb')} MB ({size['source']}, {size.get('date')})")
        _print_summary(summary)
        return 0
    earlier = ({s["users"]: s for s in json.loads(args.out.read_text())["sizes"]}
               if args.resume and args.out.exists() else {})
    # configuration overrides in force (e.g. TAILOR__MODELS__HORIZONS): said with the figures
    config_env = {k: v for k, v in os.environ.items() if k.startswith("TAILOR__")}
    sizes = []
    for users in (int(s) for s in args.sizes.split(",")):
        print(f"\n{users:,} customers x {args.days} days", flush=True)
        res = (with_sitting(earlier.get(users), resume_size(users, args.days, args.seed,
                                                            args.deadline_s))
               if args.resume else run_size(users, args.days, args.seed, args.deadline_s,
                                            args.next_day))
        sizes.append(res)
        print(f"  {res.get('status')}: DAG {res.get('dag_s', '?')} s, peak {res.get('peak_mb', '?')} MB",
              flush=True)
        _print_tasks(res)
        if "next_day" in res:
            nxt = res["next_day"]
            print(f"  next day ds={nxt['ds']}: {nxt.get('status')}: DAG {nxt.get('dag_s', '?')} s, "
                  f"peak {nxt.get('peak_mb', '?')} MB", flush=True)
            _print_tasks(nxt)
        summary = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "days": args.days,
                   "config_env": config_env, "sizes": sizes, "growth_10x": growth(sizes)}
        _save(summary, args.out)   # after every size: a stopped run keeps it
        if args.stop_on_failure and res.get("status") != "ok":
            break
    _print_summary(summary)
    return 0 if all(s.get("status") == "ok" for s in sizes) else 1


if __name__ == "__main__":
    sys.exit(main())

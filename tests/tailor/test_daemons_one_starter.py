"""Two commands starting the same helper at once (the DAG's first task, and `tailor.dagrun`
starting it while Airflow prepares the run): the second waits for the first, then finds the
first's helper up, instead of launching another."""
import subprocess
import sys

STARTER = """
import sys, time
from pathlib import Path
from tailor.daemons import starting
folder = Path(sys.argv[1])
with starting(folder / "start.lock"):
    if (folder / "helper.json").exists():
        print("found", flush=True)
    else:
        time.sleep(0.5)                       # a JVM taking its time to listen
        (folder / "helper.json").write_text("{}")
        print("launched", flush=True)
"""


def test_a_second_starter_finds_the_first_ones_helper(tmp_path):
    starters = [subprocess.Popen([sys.executable, "-c", STARTER, str(tmp_path)],
                                 stdout=subprocess.PIPE, text=True) for _ in range(3)]
    said = sorted(p.communicate(timeout=60)[0].strip() for p in starters)
    assert said == ["found", "found", "launched"]

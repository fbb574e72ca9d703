"""A job's process on the host ends when its job does, as an interpreter would: a thread pool
the job left open (idle workers, never shut down) does not keep it alive, a non-daemon thread
still running is waited for, and the exit status is the job's."""
import subprocess
import sys
import textwrap

LEFT_OPEN = textwrap.dedent("""
    import threading, time
    from concurrent.futures import ThreadPoolExecutor
    from tailor.jobhost.server import finish
    pool = ThreadPoolExecutor(2)
    pool.submit(lambda: None).result()       # two idle workers, never shut down
    done = []
    worker = threading.Thread(target=lambda: (time.sleep(0.5), done.append(1)))
    worker.start()                           # a non-daemon thread still at work
    import atexit
    atexit.register(lambda: print("worker finished" if done else "worker cut short", flush=True))
    finish(3)
""")


def test_an_open_pool_does_not_keep_the_process_alive():
    ended = subprocess.run([sys.executable, "-c", LEFT_OPEN], capture_output=True, text=True,
                           timeout=60)
    assert ended.returncode == 3, ended.stderr
    assert "worker finished" in ended.stdout

"""Process-tree measurements shared by the benchmark scripts (stdlib + psutil only, so it also
runs under Feast's own virtualenv)."""
from __future__ import annotations


def tree_cpu_seconds() -> float:
    """user + sys CPU seconds of this process and its live descendants (the Spark JVM)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total

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


def request_times(times: list[tuple[float, float]]) -> dict:
    """(wall, CPU) seconds of repeated requests in one process → the first (cold) request's,
    and with repeats the fastest later one (``warm_request_s``): one shape for every peer."""
    out = {"request_s": round(times[0][0], 2), "request_cpu_s": round(times[0][1], 1)}
    if len(times) > 1:
        out["warm_request_s"] = round(min(t for t, _ in times[1:]), 2)
        out["repeats"] = len(times)
    return out

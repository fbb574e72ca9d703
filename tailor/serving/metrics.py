"""Prometheus metrics of the lookup server, in the text exposition format (version 0.0.4).

Plain integers and one fixed-bucket histogram updated on the event-loop thread (no locks, no
client library); ``render`` reads them plus gauges computed at scrape time.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from typing import Callable, Iterable

# seconds; a lookup takes tens of microseconds, an fsync-ed event write milliseconds
LATENCY_BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                   0.1, 0.25, 0.5, 1.0, 2.5)


class Histogram:
    __slots__ = ("bounds", "counts", "total", "count")

    def __init__(self, bounds: Iterable[float] = LATENCY_BUCKETS) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value
        self.count += 1


class Metrics:
    """Counters the app increments; gauges are callables evaluated at scrape time."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = defaultdict(int)  # (route, status)
        self.decisions = {"known": 0, "unknown": 0}
        self.overlay_applied: dict[str, int] = defaultdict(int)       # reason -> count
        self.events_accepted: dict[str, int] = defaultdict(int)       # event_type -> count
        self.events_rejected = 0
        self.handler_errors: dict[str, int] = defaultdict(int)        # exception type -> count
        self.corrupt_records = 0
        self.latency = Histogram()
        self.swaps = 0
        self.refused = 0
        self.gauges: list[tuple[str, str, str, Callable[[], Iterable[tuple[str, float]]]]] = []

    def gauge(self, name: str, help_text: str, kind: str,
              read: Callable[[], Iterable[tuple[str, float]]]) -> None:
        """Register a metric read at scrape time: ``read()`` yields (labels, value)."""
        self.gauges.append((name, help_text, kind, read))

    def render(self) -> bytes:
        out: list[str] = []

        def family(name: str, help_text: str, kind: str,
                   samples: Iterable[tuple[str, float]]) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")
            for labels, value in samples:
                out.append(f"{name}{{{labels}}} {value}" if labels else f"{name} {value}")

        family("tailor_http_requests_total", "HTTP requests answered, by route and status.",
               "counter", ((f'route="{r}",status="{s}"', n)
                           for (r, s), n in sorted(self.requests.items())))
        family("tailor_decisions_total", "Decisions served, by whether the user was in the "
               "snapshot.", "counter",
               ((f'known="{"true" if k == "known" else "false"}"', n)
                for k, n in self.decisions.items()))
        family("tailor_overlay_applied_total", "Decisions changed by the overlay or the request, "
               "by reason.", "counter",
               ((f'reason="{r}"', n) for r, n in sorted(self.overlay_applied.items())))
        family("tailor_events_accepted_total", "Events accepted on POST /v1/events, by type.",
               "counter", ((f'event_type="{t}"', n)
                           for t, n in sorted(self.events_accepted.items())))
        family("tailor_events_rejected_total", "Events refused by validation.", "counter",
               [("", self.events_rejected)])
        family("tailor_handler_errors_total", "Requests answered 500 because a handler raised, "
               "by exception type (the first of each type is logged with its traceback).",
               "counter", ((f'type="{t}"', n) for t, n in sorted(self.handler_errors.items())))
        family("tailor_corrupt_records_total", "Lookups refused (503) because the record failed "
               "its checksum.", "counter", [("", self.corrupt_records)])
        family("tailor_snapshot_swaps_total", "Snapshots swapped in while running.", "counter",
               [("", self.swaps)])
        family("tailor_snapshot_refused_total", "Snapshots refused (corrupt or incomplete).",
               "counter", [("", self.refused)])
        h = self.latency
        out.append("# HELP tailor_request_duration_seconds Time from a parsed request to its "
                   "response (handler time, excluding network and queueing).")
        out.append("# TYPE tailor_request_duration_seconds histogram")
        running = 0
        for bound, n in zip(h.bounds, h.counts):
            running += n
            out.append(f'tailor_request_duration_seconds_bucket{{le="{bound}"}} {running}')
        out.append(f'tailor_request_duration_seconds_bucket{{le="+Inf"}} {h.count}')
        out.append(f"tailor_request_duration_seconds_sum {h.total}")
        out.append(f"tailor_request_duration_seconds_count {h.count}")
        for name, help_text, kind, read in self.gauges:
            family(name, help_text, kind, read())
        return ("\n".join(out) + "\n").encode()

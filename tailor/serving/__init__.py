"""Publishing decisions into immutable snapshots and serving them over HTTP.

``snapshot`` builds / verifies / loads snapshots and moves the CURRENT pointer, ``records``
compiles a decision row into response bytes, ``fallback`` decides what unknown users get,
``store`` is the swappable key → bytes file, ``app`` routes a request, ``protocol`` speaks
HTTP/1.1, ``server`` runs it all on uvloop.
"""
from tailor.serving.snapshot import (NoSnapshotError, Snapshot, SnapshotError, SnapshotInfo,
                                     build_snapshot, list_snapshots, load_snapshot,
                                     read_current, set_current, verify_snapshot)

__all__ = ["NoSnapshotError", "Snapshot", "SnapshotError", "SnapshotInfo", "build_snapshot",
           "list_snapshots", "load_snapshot", "read_current", "set_current", "verify_snapshot"]

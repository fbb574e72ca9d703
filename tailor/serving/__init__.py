"""Publishing decisions into immutable snapshots and serving them over HTTP.

``snapshot`` builds / verifies / loads snapshots, moves the CURRENT pointer and rolls back,
``compile`` turns decision rows into stored values column-wise, ``records`` defines that stored
form and the request-time edits, ``store`` is the swappable key → bytes file, ``fallback``
decides what unknown users get, ``overlay`` holds the nearline and just-received per-person
state, ``landing`` writes events and decision logs to landing files, ``app`` routes a request,
``protocol`` speaks HTTP/1.1, ``server`` runs it all on uvloop, ``openapi`` documents it and
``metrics`` counts it.
"""
from tailor.serving.snapshot import (
                                     NoSnapshotError,
                                     Snapshot,
                                     SnapshotError,
                                     SnapshotInfo,
                                     build_snapshot,
                                     list_snapshots,
                                     load_snapshot,
                                     read_current,
                                     rollback,
                                     set_current,
                                     verify_snapshot,
)

__all__ = ["NoSnapshotError", "Snapshot", "SnapshotError", "SnapshotInfo", "build_snapshot",
           "list_snapshots", "load_snapshot", "read_current", "rollback", "set_current",
           "verify_snapshot"]

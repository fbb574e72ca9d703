"""The consent rule: whether a person's channel is granted, given their consent changes.

One rule, used by all three places that decide on consent, so they never disagree:

* the lookup server's local overlay (``tailor/serving/overlay.py``: :func:`is_granted` over the
  changes POSTed to it),
* the nearline overlay (``tailor/nearline.py`` → ``gold.overlay``) and
* the daily run's guardian (``tailor/agents/guardian.py`` → ``gold.decisions``), both through
  :func:`consent_states` (the same rule as one Spark aggregation).

Every change has two instants: its **event time** (``ts``, the client's clock: may be skewed,
back-dated or replayed) and its **receipt time** (``received_at``, stamped by the lookup server
when it accepted the event, never taken from a client; for events that never passed through the
server, e.g. the simulator's or an import's, the landing file's arrival ``ingested_at`` as the
pipeline clock defines it, ``tailor/clock.py``). A revocation is ``unsubscribe`` or
``consent_change`` with ``granted`` not true; a grant is ``consent_change`` with ``granted`` true.

**The rule.** A channel is granted only if some grant is later than *every* revocation of that
channel in *both* orders: received at or after it, and dated strictly after it. Otherwise it is
revoked. Consequences:

* a revocation received after a grant always wins, whatever the two event times say (a grant
  dated in the future cannot block it; a revocation dated long ago still applies);
* when event times and arrival order disagree (a back-dated grant received after a revocation),
  revoked wins: fail safe;
* changes received together (one request, one landing file) are ordered by event time; at the
  same event time the revocation wins.

With no change at all the rule has no opinion (``None``): the guardian treats that as "never
granted" (consent is opt-in), the overlays as "nothing to add to the daily policy".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # Spark only for the Spark half: the server imports this module too
    from pyspark.sql import Column, DataFrame

CONSENT_EVENTS = ("consent_change", "unsubscribe")


@dataclass(frozen=True)
class Change:
    """One consent change of one (person, channel); instants in epoch seconds."""

    received: float
    ts: float
    granted: bool


def grants(event_type: str, granted: Any) -> bool:
    """Whether a consent event grants (True) or revokes (False) its channel."""
    return event_type == "consent_change" and granted is True


def is_granted(changes: Iterable[Change]) -> bool | None:
    """The rule (module docstring): True granted, False revoked, None without any change."""
    changes = list(changes)
    if not changes:
        return None
    revocations = [c for c in changes if not c.granted]
    if not revocations:
        return True
    last_received = max(c.received for c in revocations)
    last_ts = max(c.ts for c in revocations)
    return any(c.granted and c.received >= last_received and c.ts > last_ts for c in changes)


def compact(changes: Iterable[Change]) -> list[Change]:
    """A short list with the same :func:`is_granted` now and after any further changes.

    The rule reads revocations only through their latest receipt and latest event time, so one
    revocation carrying both maxima stands for all of them; a grant received before it can never
    win again (later revocations only raise the maxima), and a grant that another grant matches
    or beats in both instants adds nothing. The latest receipt is kept (TTLs run from it).
    """
    changes = list(changes)
    revocations = [c for c in changes if not c.granted]
    kept: list[Change] = []
    if revocations:
        kept.append(Change(max(c.received for c in revocations), max(c.ts for c in revocations),
                           False))
    floor = kept[0].received if kept else float("-inf")
    live = [c for c in changes if c.granted and c.received >= floor]
    for c in live:
        if not any(o is not c and o.received >= c.received and o.ts >= c.ts
                   and (o.received, o.ts) != (c.received, c.ts) for o in live):
            if c not in kept:
                kept.append(c)
    return kept


# ------------------------------------------------------------------------------------- Spark

def receipt_column(events: "DataFrame") -> "Column":
    """When an event reached Tailor: the server's ``received_at``, else ``ingested_at``."""
    from pyspark.sql import functions as F

    if "received_at" in events.columns:
        return F.coalesce(F.col("received_at"), F.col("ingested_at"))
    return F.col("ingested_at")


def consent_changes(events: "DataFrame", known_by: Any = None) -> "DataFrame":
    """The consent changes among ``events`` (bronze- or silver-shaped) as (..., channel,
    event_ts, received, grants), optionally only those received by ``known_by``."""
    from pyspark.sql import functions as F

    changes = (events.where(F.col("channel").isNotNull() &
                            F.col("event_type").isin(*CONSENT_EVENTS))
               .withColumn("received", receipt_column(events))
               .withColumn("grants", (F.col("event_type") == "consent_change") &
                           F.coalesce(F.col("granted"), F.lit(False))))
    if known_by is not None:
        changes = changes.where(F.col("received") <= F.lit(known_by))
    return changes


def consent_states(changes: "DataFrame", keys: Iterable[str] = ("person_id", "channel")
                   ) -> "DataFrame":
    """:func:`is_granted` per ``keys`` over :func:`consent_changes` rows, as one aggregation:
    (keys..., granted boolean, last_received timestamp)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = list(keys)
    per_key = Window.partitionBy(*keys)
    revoked = ~F.col("grants")
    rev_received = F.max(F.when(revoked, F.col("received"))).over(per_key)
    rev_ts = F.max(F.when(revoked, F.col("event_ts"))).over(per_key)
    wins = F.col("grants") & (rev_received.isNull() | (
        (F.col("received") >= rev_received) & (F.col("event_ts") > rev_ts)))
    return (changes.withColumn("_wins", wins).groupBy(*keys)
            .agg(F.bool_or("_wins").alias("granted"),
                 F.max("received").alias("last_received")))

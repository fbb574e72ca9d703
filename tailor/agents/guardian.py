"""The guardian: what an agent may not do. Consent is opt-in per channel: a channel is allowed
only if the consent rule (``tailor/consent.py``: a revocation received after a grant always
wins; when event time and arrival order disagree, revoked wins) says it is granted."""
from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.consent import consent_changes, consent_states


def consent_state(events: DataFrame, known_by: datetime) -> DataFrame:
    """(person_id, allowed_channels: array<string>) from the consent changes received by
    ``known_by`` (the run's instant, ``tailor.clock.run_instant``)."""
    return _allowed(consent_states(consent_changes(events, known_by)), [])


def consent_state_at(events: DataFrame, instants: DataFrame, key: str) -> DataFrame:
    """(``key``, person_id, allowed_channels): :func:`consent_state` as of each row of
    ``instants`` (``key``, ``known_by``) — e.g. every decision day of a policy's log — in one
    aggregation instead of one plan per instant. ``instants`` is small (it is broadcast)."""
    changes = consent_changes(events).join(F.broadcast(instants),
                                           F.col("received") <= F.col("known_by"))
    return _allowed(consent_states(changes, (key, "person_id", "channel")), [key])


def _allowed(states: DataFrame, keys: list[str]) -> DataFrame:
    """Per (keys..., person): the sorted channels whose consent is granted (empty if none)."""
    return states.groupBy(*keys, "person_id").agg(
        F.sort_array(F.collect_list(F.when(F.col("granted"), F.col("channel"))))
        .alias("allowed_channels"))


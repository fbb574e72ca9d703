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
    states = consent_states(consent_changes(events, known_by))
    return states.groupBy("person_id").agg(
        F.sort_array(F.collect_list(F.when(F.col("granted"), F.col("channel"))))
        .alias("allowed_channels"))


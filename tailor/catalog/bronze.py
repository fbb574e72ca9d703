"""bronze: raw events as they arrived (deduplicated), and what could not be read."""
from tailor.catalog.schema import Column as C
from tailor.catalog.schema import Table

# The lookup server's decision log (decision_served events), kept through bronze and silver:
# what a serving rule overrode, and the challenger's shadow choice (tailor/serving/records.py).
DECISION_LOG = (
    C("overridden_by", "string", "decision_served: the rule that replaced the message"),
    C("policy_action_id", "string", "decision_served, overridden: the policy's action"),
    C("policy_propensity", "double", "... and its probability"),
    C("shadow_action_id", "string", "decision_served: the challenger's action (not served)"),
    C("shadow_propensity", "double", "... and its probability under the challenger"),
)

# Last because it came last: existing tables gain it at their end (tailor/lakehouse: additive
# schema evolution), so new and evolved tables keep the same column order.
ORDER_ID = C("order_id", "string", "purchase / conversion: the order (basket) of the line; lines "
                                   "sharing it are one order (null: the line is its own order)")

EVENTS = Table(
    "bronze.events", "every well-formed landing event, once per event_id, typed",
    owner="ingest", partition_by=("event_date",), keys=("event_id",),
    columns=(
        C("event_id", "string", "unique id given by the producer"),
        C("event_type", "string", "one of tailor.events.EVENT_TYPES"),
        C("event_ts", "timestamp", "when it happened (producer's clock, UTC)"),
        C("event_date", "string", "YYYY-MM-DD of event_ts (partition)"),
        C("customer_id", "string", "direct identifier (never leaves bronze)"),
        C("email", "string", "direct identifier on login events (never leaves bronze)"),
        C("anonymous_id", "string"), C("device_id", "string"), C("item_id", "string"),
        C("category", "string"), C("price", "double"), C("quantity", "int"),
        C("channel", "string"), C("message_id", "string"), C("action_id", "string"),
        C("send_hour", "int"), C("discount", "double"),
        C("propensity", "double", "logged probability of the decision's action"),
        C("granted", "boolean", "consent_change: granted (true) or revoked (false)"),
        *DECISION_LOG,
        C("landing_file", "string", "the landing file the line came from"),
        C("ingested_at", "timestamp", "when the line reached the lakehouse (tailor/clock.py)"),
        C("received_at", "timestamp", "when the lookup server received it (its own clock; null "
                                      "for events that did not come through the server)"),
        ORDER_ID,
    ))

QUARANTINE = Table(
    "bronze.quarantine", "landing lines that could not be ingested, with the reason",
    owner="ingest", partition_by=("ingest_date",), keys=("quarantine_id",),
    columns=(
        C("quarantine_id", "string", "hash of landing file + line"),
        C("landing_file", "string"), C("raw_line", "string"),
        C("reason", "string", "e.g. invalid_json, missing:ts, bad_ts, future_ts, "
                              "conflicting_duplicate, unknown_event_type"),
        C("quarantined_at", "timestamp"),
        C("ingest_date", "string", "the run's ds (partition)"),
    ))

TABLES = (EVENTS, QUARANTINE)

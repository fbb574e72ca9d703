"""silver: identity-resolved, pseudonymised events and the identity graph."""
from tailor.catalog.bronze import DECISION_LOG, ORDER_ID
from tailor.catalog.schema import Column as C
from tailor.catalog.schema import Table

EVENTS = Table(
    "silver.events", "bronze events keyed by a pseudonymous person_id; direct identifiers dropped",
    owner="identity", partition_by=("event_date",), keys=("event_id",),
    columns=(
        C("person_id", "string", "HMAC of the customer id, or anon-<HMAC> of an unlinked id"),
        C("event_id", "string"), C("event_type", "string"), C("event_ts", "timestamp"),
        C("event_date", "string"), C("item_id", "string"), C("category", "string"),
        C("price", "double"), C("quantity", "int"), C("channel", "string"),
        C("message_id", "string"), C("action_id", "string"), C("send_hour", "int"),
        C("discount", "double"), C("propensity", "double"), C("granted", "boolean"),
        *DECISION_LOG,
        C("ingested_at", "timestamp"), C("received_at", "timestamp"), ORDER_ID,
    ))

IDENTITY_MAP = Table(
    "silver.identity_map", "every anonymous / device id seen → its person, with the evidence",
    owner="identity", keys=("id_type", "id_hash"),
    columns=(
        C("id_type", "string", "anonymous | device"),
        C("id_hash", "string", "HMAC of <id_type>:<id_value>"),
        C("person_id", "string"),
        C("evidence", "string", "login | identified_event | co-occurrence | none"),
        C("links", "bigint", "events behind the assignment"),
        C("first_seen", "timestamp"), C("last_seen", "timestamp"),
        C("component_size", "bigint", "ids in the connected component"),
        C("customers", "bigint", "customers the component touches (over-merge guard)"),
        C("confidence", "double"),
    ))

TABLES = (EVENTS, IDENTITY_MAP)

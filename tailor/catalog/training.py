"""training: one table per model, built from its ModelSpec (models/) — adding a model adds one."""
from tailor.catalog.schema import Column as C
from tailor.catalog.schema import Table

_KEYS = {"persons": (C("person_id", "string"), C("cutoff", "string"),
                     C("split", "string", "train | test (stable hash of the person)")),
         "candidates": (C("person_id", "string"), C("item_id", "string"), C("cutoff", "string"),
                        C("split", "string", "train | test (stable hash of the person)"))}


def training_table(spec) -> Table:
    """``training.<model>``: keys, split, label, plus the numeric features the model may use."""
    rows = "person × cutoff" if spec.rows == "persons" else "person × candidate item × cutoff"
    keys = tuple(c.name for c in _KEYS[spec.rows] if c.name != "split")
    return Table(
        f"training.{spec.name}", f"training set of the {spec.name} model: one row per {rows}, "
                                 "features as of the cutoff (point in time) and the label",
        owner="training_sets", partition_by=("cutoff",), keys=keys,
        columns=(*_KEYS[spec.rows], C("label", spec.label_type, spec.label)),
        extra="numeric feature columns, point-in-time joined from features/registry.py")


POLICY = Table(
    "training.policy", "logged decision points (served, simulated, imported) with their outcome "
                       "and the person's features as known at the decision",
    owner="policy_outcomes", partition_by=("decision_date",), keys=("decision_id",),
    columns=(
        C("person_id", "string"),
        C("decision_id", "string", "the logging event's event_id"),
        C("decided_at", "timestamp"), C("decision_date", "string"),
        C("source", "string", "decision_served | message_sent"),
        C("action_id", "string"), C("channel", "string"), C("send_hour", "int"),
        C("discount", "double"),
        C("propensity", "double", "logged probability of the action (null: unknown)"),
        C("message_id", "string"),
        C("overridden_by", "string", "a request-time rule replaced the policy's message"),
        C("shadow_action_id", "string", "what the challenger would have done (served decisions)"),
        C("shadow_propensity", "double"),
        C("conversions", "int", "attributed conversions within policy.outcomes.attribution_hours"),
        C("conversion_value", "double"), C("unsubscribed", "boolean"),
        C("action_cost", "double", "channel cost + per-message cost (0 for no_message)"),
        C("reward", "double", "conversion_value - action_cost"),
        C("usable_for_ope", "boolean", "logged propensity and no override: importance-weightable"),
        C("known_at", "timestamp", "the instant the context features are as of"),
        C("allowed_channels", "array<string>", "channels consent allowed at the decision"),
    ),
    extra="numeric person feature columns, point-in-time joined as of known_at")


def tables() -> tuple[Table, ...]:
    from tailor.models.catalog import SPECS

    return (*(training_table(spec) for spec in SPECS.values()), POLICY)

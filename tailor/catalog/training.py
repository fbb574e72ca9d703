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


def tables() -> tuple[Table, ...]:
    from tailor.models.catalog import SPECS

    return tuple(training_table(spec) for spec in SPECS.values())

"""Stitch device and anonymous ids to a person through an identity graph, then key every event by
a pseudonymous ``person_id`` (HMAC of the customer id; never the id in the clear).

Evidence (one edge per pair of ids, weighted by the number of events behind it):

* ``login`` — a login event carries customer_id with the session's anonymous_id / device_id;
* ``identified_event`` — any other event carrying customer_id together with an anonymous_id or
  device_id (the app knew who was logged in);
* ``co-occurrence`` — an event carrying both an anonymous_id and a device_id links the cookie
  to the device.

**Ownership and the over-merge rule.** A device (or cookie) on which several customers log in
must not glue those customers into one person. So, before the graph is built:

1. every id with direct customer evidence (login / identified_event) gets exactly one *owner*:
   the customer with the most login events on it, then the most identified events, then the
   latest evidence, then the smallest customer id; only the id→owner edge enters the graph
   (``customers`` > 1 in the map flags such shared ids, ``confidence`` is the owner's share);
2. a co-occurrence edge between two ids owned by *different* customers is dropped.

Connected components (:mod:`tailor.identity.graph`, large-star / small-star in Spark) then run
over customers + ids. An id without direct evidence joins the customer of its component. If a
component still holds more than one customer (ids owned by different customers bridged by an
unowned id), every owned id keeps its owner and every unowned id goes to the owner of its
strongest co-occurrence neighbour (most events, then latest); an unowned id with no owned
neighbour stays anonymous rather than being guessed. Components without any customer are one
anonymous person, ``anon-`` + HMAC of the component's *anchor*: its earliest-seen id (ties: the
smallest), which stays the anchor when later cookies join, so anonymous person ids are stable
from run to run.

``silver.identity_map`` (:data:`MAP_COLUMNS`), one row per anonymous / device id seen in bronze:
``id_hash`` = HMAC(``<id_type>:<id_value>``); ``person_id`` = HMAC(customer id) or ``anon-…``;
``evidence`` = ``login`` / ``identified_event`` (direct, the strongest kind the owner has),
``co-occurrence`` (reached through other ids) or ``none`` (anonymous person); ``links`` = events
behind the assignment (the owner's direct events; co-occurrence events with the ids it was
reached through; for ``none`` its co-occurrence events, else the events carrying it: always
>= 1); ``first_seen`` / ``last_seen`` = the id's first / last event; ``component_size`` = ids in
its graph component; ``customers`` = customers with direct evidence on the id (> 1: shared);
``confidence`` = share of that evidence (or of co-occurrence links, for a split component)
supporting the chosen customer, null for anonymous persons.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf

from tailor.catalog import table
from tailor.identity.graph import connected_components
from tailor.privacy import pseudonymise
from tailor.spark import checkpointed

SILVER_COLUMNS = table("silver.events").column_names

# id_type → bronze column carrying it
ID_COLUMNS = {"anonymous": "anonymous_id", "device": "device_id"}

LINK_COLUMNS = ["id_type", "id_value", "customer_id", "anon_anchor", "evidence", "links",
                "first_seen", "last_seen", "component_size", "customers", "confidence"]
MAP_COLUMNS = table("silver.identity_map").column_names


def pseudonymise_column(key: str, length: int):
    """A vectorised Spark UDF applying :func:`tailor.privacy.pseudonymise` (same as the server)."""

    @pandas_udf("string")
    def _pseudo(values: pd.Series) -> pd.Series:
        return values.map(lambda v: None if v is None else pseudonymise(v, key, length))

    return _pseudo


def _vertex(id_type, value) -> F.Column:
    """Typed vertex name, e.g. ``device:d-12ab…`` (types never collide)."""
    return F.concat(id_type if isinstance(id_type, F.Column) else F.lit(id_type), F.lit(":"), value)


TRIPLE_KEYS = ["customer_id", *ID_COLUMNS.values()]


def id_triples(bronze: DataFrame) -> DataFrame:
    """One row per distinct (customer_id, anonymous_id, device_id) of ``bronze``'s events with
    what the evidence is counted from: ``events``, ``logins``, ``first_seen`` / ``last_seen``
    (all its events) and ``first_login`` / ``last_login`` (its login events).

    Every aggregate identity takes of the events (ids seen, customer evidence, co-occurrence,
    the events' persons) is a function of these, so the events are read once, into far fewer
    rows (1M customers × 30 days: 56.8M events, 4.0M triples)."""
    is_login = F.col("event_type") == "login"
    return bronze.groupBy(*TRIPLE_KEYS).agg(
        F.count("*").alias("events"), F.sum(is_login.cast("long")).alias("logins"),
        F.min("event_ts").alias("first_seen"), F.max("event_ts").alias("last_seen"),
        F.min(F.when(is_login, F.col("event_ts"))).alias("first_login"),
        F.max(F.when(is_login, F.col("event_ts"))).alias("last_login"))


def id_occurrences(triples: DataFrame) -> DataFrame:
    """One row per (triple of :func:`id_triples`, id it carries): customer_id, id_type,
    id_value and the triple's counts."""
    counts = ["events", "logins", "first_seen", "last_seen", "first_login", "last_login"]
    parts = [triples.where(F.col(col).isNotNull()).select(
        "customer_id", F.lit(id_type).alias("id_type"), F.col(col).alias("id_value"), *counts)
        for id_type, col in ID_COLUMNS.items()]
    return parts[0].unionByName(parts[1])


def ids_seen(triples: DataFrame) -> DataFrame:
    """(id_type, id_value, first_seen, last_seen, events): every id, its first and last event
    and how many events carry it."""
    return id_occurrences(triples).groupBy("id_type", "id_value").agg(
        F.min("first_seen").alias("first_seen"), F.max("last_seen").alias("last_seen"),
        F.sum("events").alias("events"))


def customer_evidence(triples: DataFrame, identified_events: bool = True) -> DataFrame:
    """(id_type, id_value, customer_id, login_links, event_links, links, first_seen, last_seen)
    from :func:`id_triples`: the events carrying the id and the customer id (only the logins
    without ``identified_events``)."""
    occ = id_occurrences(triples).where(F.col("customer_id").isNotNull())
    keys = ["id_type", "id_value", "customer_id"]
    if not identified_events:
        return occ.where(F.col("logins") > 0).groupBy(*keys).agg(
            F.sum("logins").alias("login_links"), F.sum(F.lit(0).cast("long")).alias("event_links"),
            F.sum("logins").alias("links"), F.min("first_login").alias("first_seen"),
            F.max("last_login").alias("last_seen"))
    return occ.groupBy(*keys).agg(
        F.sum("logins").alias("login_links"),
        F.sum(F.col("events") - F.col("logins")).alias("event_links"),
        F.sum("events").alias("links"), F.min("first_seen").alias("first_seen"),
        F.max("last_seen").alias("last_seen"))


def co_occurrence(triples: DataFrame) -> DataFrame:
    """(anonymous_id, device_id, links, first_seen, last_seen): ids carried by the same event,
    from :func:`id_triples`."""
    return (triples.where(F.col("anonymous_id").isNotNull() & F.col("device_id").isNotNull())
            .groupBy("anonymous_id", "device_id")
            .agg(F.sum("events").alias("links"), F.min("first_seen").alias("first_seen"),
                 F.max("last_seen").alias("last_seen")))


def owners(evidence: DataFrame) -> DataFrame:
    """One owner per id (the over-merge rule, step 1): (id_type, id_value, owner, owner_login_links,
    owner_links, customers, confidence)."""
    rank = Window.partitionBy("id_type", "id_value").orderBy(
        F.col("login_links").desc(), F.col("event_links").desc(), F.col("last_seen").desc(),
        F.col("customer_id"))
    per_id = Window.partitionBy("id_type", "id_value")
    return (evidence
            .withColumn("customers", F.count("*").over(per_id))
            .withColumn("all_links", F.sum("links").over(per_id))
            .withColumn("rank", F.row_number().over(rank))
            .where(F.col("rank") == 1)
            .select("id_type", "id_value", F.col("customer_id").alias("owner"),
                    F.col("login_links").alias("owner_login_links"),
                    F.col("links").alias("owner_links"), "customers",
                    (F.col("links") / F.col("all_links")).alias("confidence")))


@dataclass
class IdentityResolution:
    """The resolved links (raw ids: never leave the job) and graph statistics."""

    links: DataFrame
    iterations: int
    graph_method: str = "spark"       # where the components were labelled (graph.Components)
    triples: DataFrame | None = None  # :func:`id_triples` of bronze (checkpointed)


def resolve_identities(bronze: DataFrame, max_iterations: int = 30,
                       identified_events: bool = True,
                       local_max_edges: int = 0) -> IdentityResolution:
    """Build the identity graph from ``bronze`` events and assign every id to a person.
    ``max_iterations`` / ``local_max_edges``: :func:`tailor.identity.graph.connected_components`.

    ``links`` has :data:`LINK_COLUMNS`: one row per anonymous / device id seen in ``bronze``,
    ``customer_id`` null for anonymous persons (then ``anon_anchor`` names their anchor id).
    Runs Spark jobs when called: ``bronze`` is read once, into its id triples
    (:func:`id_triples`), and those and three aggregates of them are checkpointed (and the
    graph labelled); ``links`` itself stays lazy.
    """
    triples = checkpointed(id_triples(bronze))
    # each is read several times below (graph edges, ownership, neighbours): computed once, and
    # checkpointed rather than cached, so the plans below start from three one-node inputs
    # instead of re-analysing these aggregations in every query
    seen, own, cooc = (checkpointed(frame) for frame in (
        ids_seen(triples), owners(customer_evidence(triples, identified_events)),
        co_occurrence(triples)))

    # Over-merge rule, step 2: no co-occurrence edge between ids owned by different customers.
    anon_own = own.where(F.col("id_type") == "anonymous").select(
        F.col("id_value").alias("anonymous_id"), F.col("owner").alias("anon_owner"))
    dev_own = own.where(F.col("id_type") == "device").select(
        F.col("id_value").alias("device_id"), F.col("owner").alias("device_owner"))
    kept = (cooc.join(anon_own, "anonymous_id", "left").join(dev_own, "device_id", "left")
            .where(F.col("anon_owner").isNull() | F.col("device_owner").isNull()
                   | (F.col("anon_owner") == F.col("device_owner"))))
    cooc = kept.select("anonymous_id", "device_id", "links", "last_seen")

    # The graph: an owned id's edge to its owner, co-occurrence edges between ids. Its components
    # are labelled with every owned id contracted into its owner's vertex (contracting an edge
    # keeps the components' members together), so only co-occurrence edges with an unowned end
    # remain — both ends owned is one customer (a self-loop) or was dropped above: a graph of the
    # unowned ids and the customers they touch, a fraction of all ids. A label is only a key to
    # group ids by (the anchor is the earliest id); it names another vertex than the full
    # graph's would.
    def contracted(owner: str, id_type: str, column: str) -> F.Column:
        return F.coalesce(_vertex("customer", F.col(owner)), _vertex(id_type, F.col(column)))

    edges = kept.select(contracted("anon_owner", "anonymous", "anonymous_id").alias("src"),
                        contracted("device_owner", "device", "device_id").alias("dst"))
    ids = (seen.withColumn("vertex", _vertex(F.col("id_type"), F.col("id_value")))
           .join(own, ["id_type", "id_value"], "left")
           .withColumn("_rep", F.coalesce(_vertex("customer", F.col("owner")), F.col("vertex"))))
    cc = connected_components(edges, ids.select(F.col("_rep").alias("vertex")),
                              max_iterations=max_iterations, local_max_edges=local_max_edges)
    ids = ids.join(cc.vertices.select(F.col("vertex").alias("_rep"), "component"), "_rep")
    size = ids.groupBy("component").agg(
        F.count("*").alias("component_size"),
        F.countDistinct("owner").alias("n_owners"), F.min("owner").alias("only_owner"))
    anchor_rank = Window.partitionBy("component").orderBy("first_seen", "vertex")
    anchors = (ids.withColumn("r", F.row_number().over(anchor_rank)).where(F.col("r") == 1)
               .select("component", F.col("id_value").alias("component_anchor")))

    # Neighbour owners for unowned ids in multi-customer components (one hop, strongest link).
    nb = (cooc.select(F.lit("anonymous").alias("id_type"), F.col("anonymous_id").alias("id_value"),
                      F.lit("device").alias("nb_type"), F.col("device_id").alias("nb_value"),
                      "links", "last_seen")
          .unionByName(cooc.select(F.lit("device").alias("id_type"),
                                   F.col("device_id").alias("id_value"),
                                   F.lit("anonymous").alias("nb_type"),
                                   F.col("anonymous_id").alias("nb_value"), "links", "last_seen")))
    nb_owner = (nb.join(own.select(F.col("id_type").alias("nb_type"),
                                   F.col("id_value").alias("nb_value"), "owner"),
                        ["nb_type", "nb_value"])
                .groupBy("id_type", "id_value", "owner")
                .agg(F.sum("links").alias("nb_links"), F.max("last_seen").alias("nb_last")))
    nb_total = nb_owner.groupBy("id_type", "id_value").agg(F.sum("nb_links").alias("nb_all"))
    nb_rank = Window.partitionBy("id_type", "id_value").orderBy(
        F.col("nb_links").desc(), F.col("nb_last").desc(), F.col("owner"))
    nb_best = (nb_owner.withColumn("r", F.row_number().over(nb_rank)).where(F.col("r") == 1)
               .join(nb_total, ["id_type", "id_value"])
               .select("id_type", "id_value", F.col("owner").alias("nb_owner"), "nb_links",
                       (F.col("nb_links") / F.col("nb_all")).alias("nb_confidence")))
    cooc_links = nb.groupBy("id_type", "id_value").agg(F.sum("links").alias("cooc_links"))

    out = (ids.join(size, "component").join(anchors, "component")
           .join(nb_best, ["id_type", "id_value"], "left")
           .join(cooc_links, ["id_type", "id_value"], "left"))
    owned = F.col("owner").isNotNull()
    single = F.col("n_owners") == 1
    split = (F.col("n_owners") > 1) & F.col("nb_owner").isNotNull()
    customer = (F.when(owned, F.col("owner")).when(single, F.col("only_owner"))
                .when(split, F.col("nb_owner")))
    evidence = (F.when(owned & (F.col("owner_login_links") > 0), F.lit("login"))
                .when(owned, F.lit("identified_event"))
                .when(single | split, F.lit("co-occurrence")).otherwise(F.lit("none")))
    links = (F.when(owned, F.col("owner_links")).when(split, F.col("nb_links"))
             .otherwise(F.coalesce(F.col("cooc_links"), F.col("events"))))
    confidence = (F.when(owned, F.col("confidence"))
                  .when(single, F.lit(1.0))
                  .when(split, F.col("nb_confidence")))
    anchor = (F.when(F.col("n_owners") == 0, F.col("component_anchor"))
              .when(customer.isNull(), F.col("id_value")))
    links_df = out.select(
        "id_type", "id_value", customer.alias("customer_id"), anchor.alias("anon_anchor"),
        evidence.alias("evidence"), links.cast("long").alias("links"), "first_seen", "last_seen",
        F.col("component_size").cast("long").alias("component_size"),
        F.coalesce(F.col("customers"), F.lit(0)).cast("long").alias("customers"),
        confidence.cast("double").alias("confidence"))
    return IdentityResolution(links_df, cc.iterations, cc.method, triples)


def identity_links(bronze: DataFrame, max_iterations: int = 30,
                   identified_events: bool = True) -> DataFrame:
    """Resolved links (:data:`LINK_COLUMNS`, raw ids) — see :func:`resolve_identities`."""
    return resolve_identities(bronze, max_iterations, identified_events).links


def _person_expr(pseudo, customer: str, anchor: str) -> F.Column:
    return F.when(F.col(customer).isNotNull(), pseudo(F.col(customer))).otherwise(
        F.concat(F.lit("anon-"), pseudo(F.concat(F.lit("anon:"), F.col(anchor)))))


def identity_map(links: DataFrame, key: str, length: int) -> DataFrame:
    """silver.identity_map (:data:`MAP_COLUMNS`): hashed id → person_id with the evidence."""
    pseudo = pseudonymise_column(key, length)
    return links.select(
        "id_type",
        pseudo(F.concat(F.col("id_type"), F.lit(":"), F.col("id_value"))).alias("id_hash"),
        _person_expr(pseudo, "customer_id", "anon_anchor").alias("person_id"),
        *MAP_COLUMNS[3:])


def _pseudonyms(values: DataFrame, pseudo, prefix: str = "") -> DataFrame:
    """(value, pseudonym) for the distinct non-null values of the one-column ``values``: the HMAC
    runs once per distinct id, not once per event."""
    col = values.columns[0]
    return (values.where(F.col(col).isNotNull()).distinct()
            .select(F.col(col).alias("value"),
                    pseudo(F.concat(F.lit(prefix), F.col(col))).alias("pseudonym")))


def resolve_events(bronze: DataFrame, links: DataFrame, key: str, length: int) -> DataFrame:
    """Every bronze event keyed by a pseudonymous person_id; direct identifiers dropped.

    ``links`` is either the raw output of :func:`identity_links` (joined on id values) or
    ``silver.identity_map`` itself (columns id_type, id_hash, person_id: the events' ids are
    hashed the same way and joined on id_hash) — the nearline path. Precedence: the event's own
    customer_id, then its anonymous id's person, then its device's person; an id the map does
    not know yet gets ``anon-`` + HMAC of itself (what the batch job gives a new lone id).

    An event's person depends only on its (customer_id, anonymous_id, device_id), so the persons
    are resolved once per distinct triple (far fewer than events, :func:`event_persons`) and the
    events join them once (:func:`attribute_events`).
    """
    return attribute_events(bronze, event_persons(bronze, links, key, length))


def event_persons(bronze: DataFrame, links: DataFrame, key: str, length: int,
                  triples: DataFrame | None = None) -> DataFrame:
    """The distinct (customer_id, anonymous_id, device_id) triples of ``bronze``'s events, each
    with its ``person_id`` (:func:`resolve_triples`); ``triples``: those triples already
    found (:func:`id_triples`, its other columns are ignored)."""
    found = (bronze.select(*TRIPLE_KEYS).distinct() if triples is None
             else triples.select(*TRIPLE_KEYS))
    return resolve_triples(found, links, key, length)


def triple_key() -> F.Column:
    """A 64-bit hash of a row's (customer_id, anonymous_id, device_id); the null flags tell
    apart triples whose non-null ids are the same values in other places."""
    ids = [F.col(c) for c in TRIPLE_KEYS]
    return F.xxhash64(*ids, *(c.isNull() for c in ids))


def count_triples(persons: DataFrame) -> tuple[int, bool]:
    """(rows of ``persons`` (:func:`event_persons`), whether their :func:`triple_key` are
    unique): a broadcast on the key is exact only then. One aggregation."""
    row = persons.agg(F.count("*").alias("n"),
                      F.countDistinct(triple_key()).alias("keys")).first()
    return int(row["n"]), row["keys"] == row["n"]


def attribute_events(bronze: DataFrame, persons: DataFrame, broadcast: bool = False) -> DataFrame:
    """Every bronze event with the ``person_id`` of its triple in ``persons``
    (:func:`event_persons`), as silver rows.

    ``broadcast``: every task gets ``persons`` as (:func:`triple_key`, person_id) — held by the
    driver while it is sent, ~50 bytes a triple — and looks each event's key up, so the events
    are not shuffled for the join. Exact only when no two triples share a key, which the caller
    checks first (:func:`count_triples`). Without it both sides are shuffled and joined
    null-safe on the three ids."""
    if broadcast:
        side = persons.select(triple_key().alias("_tk"), "person_id")
        return (bronze.withColumn("_tk", triple_key()).join(F.broadcast(side), "_tk")
                .select(*SILVER_COLUMNS))
    side = persons.select(*[F.col(c).alias(f"_t_{c}") for c in TRIPLE_KEYS], "person_id")
    on = [F.col(c).eqNullSafe(F.col(f"_t_{c}")) for c in TRIPLE_KEYS]
    return bronze.join(side, on).select(*SILVER_COLUMNS)


def resolve_triples(triples: DataFrame, links: DataFrame, key: str, length: int) -> DataFrame:
    """(customer_id, anonymous_id, device_id) distinct triples + their ``person_id`` (the
    precedence of :func:`resolve_events`)."""
    pseudo = pseudonymise_column(key, length)
    customers = _pseudonyms(triples.select("customer_id"), pseudo).select(
        F.col("value").alias("customer_id"), F.col("pseudonym").alias("_customer_person"))
    resolved = triples.join(customers, "customer_id", "left")
    for id_type, col in ID_COLUMNS.items():
        seen = triples.select(F.col(col).alias("value"))
        if "id_hash" in links.columns:
            hashed = _pseudonyms(seen, pseudo, f"{id_type}:")
            known = (links.where(F.col("id_type") == id_type)
                     .select(F.col("id_hash").alias("pseudonym"), "person_id")
                     .join(hashed, "pseudonym").select("value", "person_id"))
        else:
            known = (links.where(F.col("id_type") == id_type)
                     .select(F.col("id_value").alias("value"),
                             _person_expr(pseudo, "customer_id", "anon_anchor").alias("person_id")))
        unknown = (_pseudonyms(seen.join(known, "value", "left_anti"), pseudo, "anon:")
                   .select("value", F.concat(F.lit("anon-"), F.col("pseudonym")).alias("person_id")))
        side = (known.withColumn("known", F.lit(True))
                .unionByName(unknown.withColumn("known", F.lit(False)))
                .select(F.col("value").alias(col), F.col("person_id").alias(f"_{id_type}_person"),
                        F.col("known").alias(f"_{id_type}_known")))
        resolved = resolved.join(side, col, "left")

    def pick(id_type: str, known: bool) -> F.Column:
        return F.when(F.col(f"_{id_type}_known") == F.lit(known), F.col(f"_{id_type}_person"))

    person = F.coalesce(F.col("_customer_person"), pick("anonymous", True), pick("device", True),
                        pick("anonymous", False), pick("device", False))
    return resolved.select("customer_id", *ID_COLUMNS.values(), person.alias("person_id"))

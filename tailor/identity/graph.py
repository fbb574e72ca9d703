"""Connected components in plain Spark DataFrames: the large-star / small-star algorithm.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014). Vertices are any
comparable column type (here: typed id strings such as ``device:d-…``); a component is labelled
by its smallest vertex. Every step is a join / group-by, so the graph never has to fit on the
driver, and no graphframes jar is needed.

One round = large-star (every vertex hooks its larger neighbours onto the smallest vertex of its
neighbourhood) then small-star (every vertex hooks itself and its smaller neighbours onto the
smallest of them). Both preserve connectivity; the edge set shrinks to a forest of stars, which is
the convergence test: every vertex has at most one parent, and no parent has a parent. The number
of rounds grows with log² of the diameter, not with the diameter as plain min-label propagation
does (a chain of 500 ids converges in a handful of rounds).

Each round's edges are checkpointed (reliable ``checkpoint`` when the SparkContext has a
checkpoint dir, else ``localCheckpoint``) so the query plan and lineage stay one round long.

A small graph does not need rounds of Spark jobs: with ``local_max_edges`` (the identity job
passes ``identity.local_graph_max_edges``) a graph of at most that many distinct edges is
collected to the driver and labelled there by union-find (same labels: the smallest vertex of
each component). That bounds what the driver holds: ``local_max_edges`` pairs of vertex names
(~200 bytes each in Python; 200,000 edges ≈ 40 MB). A larger graph never leaves the executors.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

from tailor.spark import checkpointed


class ConvergenceError(RuntimeError):
    """Connected components did not converge within ``max_iterations`` rounds."""


@dataclass
class Components:
    """``vertices``: (vertex, component); ``iterations``: large/small-star rounds run (0 when
    labelled on the driver); ``method``: ``"spark"`` (rounds of joins) or ``"driver"``."""

    vertices: DataFrame
    iterations: int
    method: str = "spark"


def _normalise(edges: DataFrame) -> DataFrame:
    """Undirected edges as (lo, hi) with lo < hi, self-loops and duplicates dropped."""
    return (edges.select(F.least("src", "dst").alias("lo"), F.greatest("src", "dst").alias("hi"))
            .where(F.col("lo") < F.col("hi")).distinct())


def large_star(edges: DataFrame) -> DataFrame:
    """For every vertex u: connect each neighbour v > u to m(u) = min(N(u) ∪ {u})."""
    both = (edges.select(F.col("lo").alias("u"), F.col("hi").alias("v"))
            .unionByName(edges.select(F.col("hi").alias("u"), F.col("lo").alias("v"))))
    mins = both.groupBy("u").agg(F.min("v").alias("mv")).select(
        "u", F.least("u", "mv").alias("m"))
    return (both.where(F.col("v") > F.col("u")).join(mins, "u")
            .select(F.col("m").alias("lo"), F.col("v").alias("hi"))
            .where(F.col("lo") < F.col("hi")).distinct())


def small_star(edges: DataFrame) -> DataFrame:
    """For every vertex u: connect u and each neighbour v < u to m = min of those neighbours."""
    mins = edges.groupBy("hi").agg(F.min("lo").alias("m"))
    hooked = edges.join(mins, "hi").select(F.col("m").alias("lo"), F.col("lo").alias("hi"))
    return (hooked.unionByName(mins.select(F.col("m").alias("lo"), F.col("hi")))
            .where(F.col("lo") < F.col("hi")).distinct())


def _is_star_forest(edges: DataFrame) -> bool:
    """True when every ``hi`` has exactly one ``lo`` and no ``lo`` is itself a ``hi``."""
    parents = edges.groupBy("hi").agg(F.count("*").alias("n"))
    multi = F.sum((F.col("n") > 1).cast("long"))
    roots_with_parents = edges.select(F.col("lo").alias("hi")).distinct().join(parents, "hi")
    row = parents.agg(multi.alias("multi")).first()
    if row["multi"]:
        return False
    return roots_with_parents.limit(1).count() == 0


def union_find(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, Any]:
    """Every vertex of ``pairs`` (undirected edges) → the smallest vertex of its component."""
    parent: dict[Any, Any] = {}

    def root(v: Any) -> Any:
        top = v
        while parent[top] != top:
            top = parent[top]
        while parent[v] != top:           # path compression
            parent[v], v = top, parent[v]
        return top

    for a, b in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:                      # the smaller root stays a root: roots are minima
            parent[max(ra, rb)] = min(ra, rb)
    return {v: root(v) for v in parent}


def connected_components(edges: DataFrame, vertices: DataFrame | None = None,
                         max_iterations: int = 30, local_max_edges: int = 0) -> Components:
    """Label every vertex with the smallest vertex of its connected component.

    ``edges`` has columns ``src``, ``dst`` (same type); ``vertices`` (column ``vertex``) adds
    isolated vertices, which become their own component. Raises :class:`ConvergenceError` after
    ``max_iterations`` rounds without convergence. ``local_max_edges`` > 0: a graph with at most
    that many distinct edges is labelled on the driver (module docstring), after counting and
    collecting its checkpointed edges (no rounds).
    """
    current = checkpointed(_normalise(edges))
    if 0 < local_max_edges and current.count() <= local_max_edges:  # a larger graph stays put
        vertex_type = current.schema["lo"].dataType
        schema = StructType([StructField("vertex", vertex_type),
                             StructField("component", vertex_type)])
        labels = union_find((r["lo"], r["hi"]) for r in current.collect())
        local = current.sparkSession.createDataFrame(list(labels.items()), schema)
        return Components(_with_isolated(local, vertices), 0, "driver")
    iterations = 0
    while not _is_star_forest(current):
        if iterations >= max_iterations:
            raise ConvergenceError(
                f"connected components not converged after {max_iterations} large/small-star "
                f"rounds; raise identity.max_iterations")
        iterations += 1
        current = checkpointed(small_star(large_star(current)))
    labelled = (current.select(F.col("hi").alias("vertex"), F.col("lo").alias("component"))
                .unionByName(current.select(F.col("lo").alias("vertex"),
                                            F.col("lo").alias("component")))
                .distinct())
    return Components(_with_isolated(labelled, vertices), iterations)


def _with_isolated(labelled: DataFrame, vertices: DataFrame | None) -> DataFrame:
    """``labelled`` + every vertex of ``vertices`` on no edge, as its own component."""
    if vertices is None:
        return labelled
    isolated = (vertices.select("vertex").distinct()
                .join(labelled, "vertex", "left_anti")
                .select("vertex", F.col("vertex").alias("component")))
    return labelled.unionByName(isolated)

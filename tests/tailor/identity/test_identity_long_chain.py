"""Connected components converge on a long chain in few large/small-star rounds (plain label
propagation would need one round per link), and give up clearly when capped."""
import random

import pytest

from tailor.identity.graph import ConvergenceError, connected_components

N = 400


def _chain(spark):
    names = [f"v{i:04d}" for i in range(N)]
    random.Random(7).shuffle(names)                       # labels in no order along the chain
    edges = [(names[i], names[i + 1]) for i in range(N - 1)] + [("x1", "x2")]
    return (spark.createDataFrame(edges, "src string, dst string"),
            spark.createDataFrame([(n,) for n in names] + [("lonely",)], "vertex string"))


def test_long_chain_converges_to_one_component(spark):
    edges, vertices = _chain(spark)
    cc = connected_components(edges, vertices, max_iterations=30)
    labels = {r.vertex: r.component for r in cc.vertices.collect()}
    assert len(labels) == N + 3
    assert {labels[f"v{i:04d}"] for i in range(N)} == {"v0000"}
    assert labels["x1"] == labels["x2"] == "x1" and labels["lonely"] == "lonely"
    assert cc.iterations <= 15


def test_cap_on_rounds_raises(spark):
    edges, vertices = _chain(spark)
    with pytest.raises(ConvergenceError, match="max_iterations"):
        connected_components(edges, vertices, max_iterations=1)

"""A small graph labelled on the driver (union-find) gets exactly the labels of the large-star /
small-star rounds in Spark — on random graphs with chains, stars, cycles, duplicate and
reversed edges, self-loops and isolated vertices — and a graph above the bound stays in
Spark."""
import random

from tailor.identity.graph import connected_components, union_find


def _graph(spark, seed: int):
    rng = random.Random(seed)
    names = [f"id:{rng.randrange(10**6):06d}" for _ in range(120)]
    edges = []
    for _ in range(90):
        a, b = rng.choice(names), rng.choice(names)
        edges.append((a, b))
        if rng.random() < 0.2:
            edges.append((b, a))            # the same edge reversed
    edges += [(names[0], names[0])]         # a self-loop only
    chain = [f"c{i:03d}" for i in range(30)]
    rng.shuffle(chain)
    edges += list(zip(chain, chain[1:]))
    vertices = [(v,) for v in names + chain + ["lonely"]]
    return (spark.createDataFrame(edges, "src string, dst string"),
            spark.createDataFrame(vertices, "vertex string"))


def _labels(cc) -> dict:
    rows = cc.vertices.collect()
    labels = {r.vertex: r.component for r in rows}
    assert len(labels) == len(rows), "a vertex labelled twice"
    return labels


def test_driver_labels_equal_spark_rounds(spark):
    for seed in (1, 2):
        edges, vertices = _graph(spark, seed)
        in_spark = connected_components(edges, vertices)
        on_driver = connected_components(edges, vertices, local_max_edges=10_000)
        assert (in_spark.method, on_driver.method) == ("spark", "driver")
        assert on_driver.iterations == 0 < in_spark.iterations
        assert _labels(on_driver) == _labels(in_spark)
        assert _labels(on_driver)["lonely"] == "lonely"


def test_graph_above_the_bound_runs_in_spark(spark):
    edges, vertices = _graph(spark, 3)
    distinct = edges.where("src != dst").selectExpr("least(src, dst) a", "greatest(src, dst) b") \
        .distinct().count()
    assert connected_components(edges, vertices, local_max_edges=distinct).method == "driver"
    over = connected_components(edges, vertices, local_max_edges=distinct - 1)
    assert over.method == "spark" and over.iterations > 0


def test_union_find_roots_are_component_minima():
    labels = union_find([("d", "c"), ("c", "b"), ("x", "y"), ("b", "e"), ("z", "y")])
    assert labels == {"b": "b", "c": "b", "d": "b", "e": "b", "x": "x", "y": "x", "z": "x"}

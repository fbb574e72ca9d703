"""The pool's interleave on hand-made proposals: round-robin by position, ties in SOURCES order
then by item; an item proposed by several sources is kept once with its best (position,
source); each person (and each as-of day) is filled on its own up to per_user."""
from tailor.features.candidates import interleave

SCHEMA = "ds string, person_id string, item_id string, source string, position int"


def test_interleave_by_hand(spark):
    rows = [
        # p on day d1: i1 from popular (1) and covisit (2) -> popular, 1 (better position)
        ("d1", "p", "i1", "popular", 1), ("d1", "p", "i1", "covisit", 2),
        # i2 at position 1 from recent and category -> category (earlier in SOURCES)
        ("d1", "p", "i2", "recent", 1), ("d1", "p", "i2", "category", 1),
        ("d1", "p", "i3", "buy_again", 1),
        ("d1", "p", "i4", "covisit", 1),
        ("d1", "p", "i5", "popular", 2), ("d1", "p", "i6", "category", 2),
        ("d1", "p", "i7", "popular", 3),
        # q on the same day: one source only, fewer items than per_user
        ("d1", "q", "i1", "popular", 1), ("d1", "q", "i2", "popular", 2),
        # p on another day: its own pool
        ("d2", "p", "i9", "recent", 1), ("d2", "p", "i1", "recent", 2),
        ("d2", "p", "i1", "popular", 2),
    ]
    pool = interleave(spark.createDataFrame(rows, SCHEMA), 5, ["ds"])
    got = sorted(tuple(r) for r in pool.collect())
    assert got == sorted([
        # position 1: covisit i4, category i2, buy_again i3, popular i1; position 2: category i6
        ("d1", "p", "i4", "covisit", 1), ("d1", "p", "i2", "category", 1),
        ("d1", "p", "i3", "buy_again", 1), ("d1", "p", "i1", "popular", 1),
        ("d1", "p", "i6", "category", 2),
        ("d1", "q", "i1", "popular", 1), ("d1", "q", "i2", "popular", 2),
        ("d2", "p", "i9", "recent", 1), ("d2", "p", "i1", "recent", 2),
    ])


def test_an_item_tied_on_position_across_sources_is_kept_once(spark):
    rows = [("d1", "p", "i1", s, 1) for s in ("popular", "recent", "buy_again", "category")]
    pool = interleave(spark.createDataFrame(rows, SCHEMA), 3, ["ds"]).collect()
    assert [tuple(r) for r in pool] == [("d1", "p", "i1", "category", 1)]

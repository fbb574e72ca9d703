"""The vectorised compiler (compile.compile_values) produces values that render exactly like
the reference encoder's (records.compile_value), with and without every request-time edit,
including odd rows: escaping, empty / null lists, missing scores, NaN, non-JSON versions."""
import json

import pyarrow as pa
import pytest

from tailor.serving.compile import compile_values
from tailor.serving.records import compile_value, decision_record, render, response_body, split_value
from tests.support.synthetic import DECISIONS_SCHEMA, decisions_table


@pytest.fixture
def odd_table():
    table = decisions_table([f"c-{i}" for i in range(30)], "2026-10-15", "k", 20,
                            opted_out=frozenset({"c-3"}))
    rows = table.to_pylist()
    rows[0]["explanation"] = 'said "hi"\n\x01\\ ü ✓ \u2028'
    rows[1]["items"], rows[1]["item_scores"] = [], []
    rows[2]["item_scores"] = [0.5]
    rows[4]["items"], rows[4]["item_scores"] = None, None
    rows[5]["discount"], rows[5]["guardrails"] = float("nan"), None
    rows[6]["model_versions"], rows[7]["policy_version"] = "not json", None
    rows[8]["items"] = ['it"em', "ñ"] + rows[8]["items"][2:]
    return pa.Table.from_pylist(rows, schema=DECISIONS_SCHEMA)


EDITS = [{}, {"k": 2}, {"k": 0}, {"suppress": b'"consent_revoked:email"'},
         {"k": 3, "suppress": b'"x"'}]


def test_vectorised_equals_reference(odd_table):
    heads, tails, ref_heads, ref_tails = [], [], [], []
    values = compile_values(odd_table, "snap-1", 3, heads, tails).to_pylist()
    for row, value in zip(odd_table.to_pylist(), values):
        reference = compile_value(decision_record(row, "snap-1", 3), ref_heads, ref_tails)
        items = row["items"] or []
        for edit in EDITS + [{"drop_items": frozenset(items[:2])}]:
            body, log = render(value, heads, tails, **edit)
            ref_body, ref_log = render(reference, ref_heads, ref_tails, **edit)
            assert json.loads(response_body(b'"u"', body)) == \
                json.loads(response_body(b'"u"', ref_body)), (row["person_id"], edit)
            assert json.loads(b"{" + log + b"}") == json.loads(b"{" + ref_log + b"}")
        fields, ref_fields = split_value(value)[0], split_value(reference)[0]
        assert fields[3] == ref_fields[3] and fields[5] == ref_fields[5]  # n items, channel
    assert len(heads) == 2 and len(tails) == 2  # shared across rows

"""Anonymous persons (never logged in: person_id "anon-...") cannot be looked up by a customer
id, so publish leaves them out of the snapshot instead of failing on them."""
import pyarrow as pa
from deltalake import write_deltalake

from tailor.lakehouse.tables import table_uri
from tailor.privacy import pseudonymise
from tailor.runtime import JobContext
from tests.support.synthetic import decisions_table


def test_publish_skips_anonymous_persons(cfg):
    import tailor.jobs.publish as publish

    rows = decisions_table(["C1", "C2", "C3"], "2026-10-15", cfg.privacy.pseudonym_key,
                           cfg.privacy.person_id_length)
    anon = rows.slice(0, 1).set_column(
        rows.schema.get_field_index("person_id"), "person_id",
        pa.array(["anon-" + pseudonymise("anon:cookie", "k", 20)]))
    write_deltalake(table_uri(cfg.lakehouse_root, "gold.decisions"), pa.concat_tables([rows, anon]),
                    partition_by=["ds"])
    summary = publish.run(JobContext(cfg, "2026-10-15"))
    assert summary["rows"] == 3 and summary["anonymous_skipped"] == 1

"""Custom Great Expectations expectations used by the suites (this module imports GX).

No ``from __future__ import annotations`` here: GX expectations are pydantic (v1) models, which
need real annotation objects at class-creation time.
"""
from typing import Any, ClassVar, Dict, Optional, Tuple, Union

from great_expectations.expectations.expectation import BatchExpectation


class ExpectTableColumnsToNotInclude(BatchExpectation):
    """Expect none of ``column_set`` to be a column of the table (governance rules).

    GX ships ``expect_column_to_exist`` but no negation. The observed value lists the
    forbidden columns that are present, so the report names them.
    """

    column_set: Union[list, set]

    metric_dependencies: ClassVar[Tuple[str, ...]] = ("table.columns",)
    success_keys: ClassVar[Tuple[str, ...]] = ("column_set",)
    args_keys: ClassVar[Tuple[str, ...]] = ("column_set",)
    library_metadata: ClassVar[Dict[str, Union[str, list, bool]]] = {
        "maturity": "experimental", "tags": ["tailor", "governance"], "contributors": ["tailor"],
        "requirements": [], "has_full_test_suite": False, "manually_reviewed_code": True}

    def _validate(self, metrics: Dict, runtime_configuration: Optional[dict] = None,
                  execution_engine: Any = None):
        present = sorted(set(metrics["table.columns"]) & set(self.column_set))
        return {"success": not present, "result": {"observed_value": present}}

"""The native engine (delta-spark) speaks the same API when its jars are on the classpath."""
import pytest

from tailor.lakehouse import EngineUnavailableError
from tailor.lakehouse.native import NativeEngine, delta_jars_available


def test_native_engine_refuses_clearly_without_jars(spark):
    if delta_jars_available(spark):
        pytest.skip("delta-spark jars are on the classpath here")
    with pytest.raises(EngineUnavailableError, match="lakehouse.engine=bridge"):
        NativeEngine(spark)


def test_native_engine_roundtrip(spark, tmp_path):
    if not delta_jars_available(spark):
        pytest.skip("delta-spark jars cannot load here (Maven unreachable, no jars on the "
                    "classpath); the bridge engine is the default for exactly this reason")
    engine = NativeEngine(spark)
    uri = str(tmp_path / "t")
    engine.write(spark.createDataFrame([(1, "d1")], "id long, ds string"), uri, "append", ["ds"])
    engine.write(spark.createDataFrame([(1, "d1")], "id long, ds string"), uri, "merge", keys=["id"])
    assert engine.read(uri).count() == 1 and engine.version(uri) == 1

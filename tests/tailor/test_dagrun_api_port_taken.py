"""With airflow.executor: local, a DAG run starts its own Airflow API server; if something
already listens on airflow.api_port, the run refuses instead of sending its task workers to a
server with another metadata DB and secret."""
import socket

import pytest

from tailor.dagrun import api_server


def test_a_taken_port_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"port {port} is taken"):
            with api_server({}, port, tmp_path / "api.log"):
                pass
    assert not (tmp_path / "api.log").exists()

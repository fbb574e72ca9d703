"""Errors are JSON too: 404 for unknown paths, 405 (with Allow) for wrong methods, 400 for bad
ids."""
import pytest


@pytest.mark.parametrize("path", ["/", "/v1/decision/c-0001", "/v1/decisions/",
                                  "/v1/decisions/a/b", "/healthz/extra"])
def test_unknown_path_is_404_json(client, path):
    resp = client.get(path)

    assert resp.status_code == 404
    assert resp.headers["content-type"] == "application/json"
    assert resp.json()["error"] == "not_found" and resp.json()["detail"]


@pytest.mark.parametrize("method,path", [("POST", "/v1/decisions/c-0001"),
                                         ("DELETE", "/v1/decisions/c-0001"),
                                         ("PUT", "/healthz")])
def test_wrong_method_is_405_json(client, method, path):
    resp = client.request(method, path, content=b"{}")

    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, HEAD"
    assert resp.json()["error"] == "method_not_allowed" and method in resp.json()["detail"]


def test_invalid_utf8_user_id_is_400_json(client):
    resp = client.get("/v1/decisions/%FF%FE")

    assert resp.status_code == 400 and resp.json()["error"] == "bad_request"

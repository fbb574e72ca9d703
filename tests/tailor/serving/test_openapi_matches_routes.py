"""The OpenAPI document lists exactly the routes the server answers: every documented
operation is routed (never a 404/405), every other method on a documented path is a 405, and
undocumented paths are 404."""
import re

from tailor.serving.openapi import ROUTES

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "c-0001", path)


def test_openapi_document_matches_the_router(full_client):
    doc = full_client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == {(r.method, r.path) for r in ROUTES}
    for path, ops in doc["paths"].items():
        for method in METHODS:
            resp = full_client.request(method, _concrete(path), json={},
                                       headers={"X-API-Key": "test-admin-key"})
            if method.lower() in ops:
                assert resp.status_code not in (404, 405), (method, path, resp.text)
            else:
                assert resp.status_code == 405, (method, path, resp.status_code)
                assert method not in resp.headers["allow"]
            assert resp.headers["content-type"].startswith(
                "text/plain" if path == "/metrics" and resp.status_code == 200
                else "application/json")
    for op in (o for ops in doc["paths"].values() for o in ops.values()):
        assert op["responses"] and op["summary"]
    assert full_client.get("/v1/undocumented").status_code == 404

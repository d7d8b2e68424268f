"""A phone app on the JSON API: JSON in and out, its bearer token, one town's paths."""

import json
from typing import Any

from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from waterportal.tenants.models import Tenant
from waterportal.testing.personas import STRONG_PASSWORD


class App:
    """An app of one town: ``get("/bills")`` asks ``/api/v1/towns/<slug>/bills`` with the
    app's token (once ``sign_in`` has run); an address starting ``/api/`` is taken as it
    is. Mail and tasks queued after commit run at each request, as ``Portal`` does."""

    def __init__(
        self, tenant: Tenant, capture: DjangoCaptureOnCommitCallbacks, client: Client | None = None
    ) -> None:
        self.tenant, self._capture = tenant, capture
        self.client = client or Client()
        self.token: str | None = None

    def url(self, path: str) -> str:
        return path if path.startswith("/api/") else f"/api/v1/towns/{self.tenant.slug}{path}"

    def _headers(self, headers: dict | None) -> dict:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return out | (headers or {})

    def request(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        headers = self._headers(kw.pop("headers", None))
        if body is not None:
            kw.setdefault("content_type", "application/json")
            kw["data"] = json.dumps(body) if kw["content_type"] == "application/json" else body
        with self._capture(execute=True):
            return self.client.generic(method, self.url(path), headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        query = kw.pop("query", None)
        headers = self._headers(kw.pop("headers", None))
        with self._capture(execute=True):
            return self.client.get(self.url(path), query, headers=headers, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, {} if body is None else body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, {} if body is None else body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, {} if body is None else body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def sign_in(self, email: str, password: str = STRONG_PASSWORD, **extra: Any) -> Any:
        """Log in as the app does; keeps the token. Returns the answer."""
        response = self.post("/login", {"email": email, "password": password} | extra)
        assert response.status_code == 200, response.content
        self.token = response.json()["token"]
        return response


def problem(response: Any) -> dict:
    """The problem details of an error answer, checked to be one (RFC 9457)."""
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    assert body["status"] == response.status_code
    assert set(body) >= {"type", "title", "status", "detail", "code"}
    return body

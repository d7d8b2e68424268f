"""A resident's browser on the portal: a Django test client and a town."""

from typing import Any

from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from waterportal.tenants.models import Tenant


class Portal:
    """A resident's browser on one municipality's portal.

    Each request runs the mail queued with ``transaction.on_commit`` (the test's own
    transaction never commits), so ``outbox`` shows what the resident would receive.

    The responses are the test client's, typed ``Any``: the tests read a redirect's
    ``url``, which django-stubs' type of the client's response does not have.
    """

    def __init__(
        self, client: Client, tenant: Tenant, capture: DjangoCaptureOnCommitCallbacks
    ) -> None:
        self.client, self.tenant, self._capture = client, tenant, capture

    def url(self, path: str) -> str:
        return path

    def get(self, path: str, data: Any = None, **kw: Any) -> Any:
        with self._capture(execute=True):
            return self.client.get(path, data, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        with self._capture(execute=True):
            return self.client.post(path, data or {}, **kw)

    def open_tenant(self) -> Any:
        return self.get(f"/login?tenant={self.tenant.slug}")

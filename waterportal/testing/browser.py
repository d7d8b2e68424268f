"""A resident's browser on the portal (a Django test client and a town), and signing in."""

from typing import Any, Protocol

from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from waterportal.tenants.models import Tenant
from waterportal.testing.personas import HANAKO, OPERATOR, STRONG_PASSWORD


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
        # Set by the console fixtures: the signed-in member of staff (User, StaffAccount).
        self.staff: Any = None
        self.account: Any = None

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


class Someone(Protocol):
    """A member (``User``) or a persona: whoever has an email address to sign in with."""

    @property
    def email(self) -> str: ...


def sign_in(portal: Portal, who: Someone = HANAKO, password: str = STRONG_PASSWORD) -> None:
    """Sign ``who`` in on the login page of ``portal``'s town, as the resident would.

    For tests of something else than logging in: a test about the login itself posts the
    form on its own and looks at what comes back.
    """
    portal.open_tenant()
    response = portal.post("/login", {"email": who.email, "password": password})
    assert response.status_code == 302 and response.url == "/", "login failed"


def staff_sign_in(portal: Portal, staff: Any) -> None:
    """Sign a member of staff (a ``StaffAccount``) in to the console of ``portal``'s town:
    password, then the authenticator's code of this moment."""
    portal.get(f"/staff/login?tenant={portal.tenant.slug}")
    response = portal.post("/staff/login", {"email": staff.email, "password": staff.password})
    assert response.status_code == 302, "staff password step failed"
    response = portal.post("/staff/login/code", {"code": staff.code_now()})
    assert response.status_code == 302 and response.url == "/staff/", "staff code step failed"


def admin_sign_in(client: Client, operator: Any) -> None:
    """Sign the operator in to the admin the one way there is: メールアドレス, パスワード
    and the authenticator's 確認コード."""
    from waterportal.testing.factories import authenticator_code

    response = client.post(
        "/admin/login/",
        {
            "username": operator.email,
            "password": OPERATOR.password,
            "otp_token": authenticator_code(operator),
            "next": "/admin/",
        },
    )
    assert response.status_code == 302, "admin login failed"


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def choose_language(client: Client, language: str) -> Any:
    """What the footer's switch does: Django's set_language, back to the same page."""
    response = client.post("/i18n/setlang/", {"language": language, "next": "/login"})
    assert response.status_code == 302
    return response


def admin_add_town(client: Client, slug: str = "minami", name: str = "みなみ村") -> Any:
    """The operator, signed in to the admin, adds a town with nothing but its identifier
    and name (the admin's add form, every other field as it comes)."""
    return client.post(
        "/admin/tenants/tenant/add/",
        {
            "slug": slug,
            "name": name,
            "number_lock_hours": "24",
            "is_active": "on",
            "terms_text": "",
            "privacy_text": "",
            "closed_days-TOTAL_FORMS": "0",
            "closed_days-INITIAL_FORMS": "0",
        },
    )

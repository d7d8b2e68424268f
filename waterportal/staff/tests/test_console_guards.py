"""Every address of the console, present and future, is closed to whoever is not the
town's signed-in staff, and a 閲覧者 changes nothing through any of them.

The addresses are read from the console's URLconf, so a page added later is covered
without being named here; the few open ones (the login, the invitation link) are named.
"""

import pytest
from django.urls import URLPattern, reverse

from waterportal.staff import urls as staff_urls
from waterportal.testing import sign_in

# Pages anyone may open: the two login steps, the logout, and the link in an invitation.
# And 「ログインを続ける」, which a 閲覧者 may press too (it changes no record) and which
# answers a visitor 401, not the login page (test_session_warning.py).
OPEN = {
    "login",
    "login_code",
    "logout",
    "welcome",
    "welcome_authenticator",
    "welcome_done",
    "session_keepalive",
}


def console_addresses() -> list[str]:
    """Every console address but the open ones, with 1 (or "x") for each parameter."""
    addresses = []
    for pattern in staff_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in OPEN or pattern.name is None:
            continue
        kwargs = {
            name: 1 if converter.regex == "[0-9]+" else "x"
            for name, converter in pattern.pattern.converters.items()
        }
        addresses.append(reverse(f"staff:{pattern.name}", kwargs=kwargs))
    return addresses


def test_the_console_has_pages_to_guard():
    assert "/staff/" in console_addresses() and "/staff/members" in console_addresses()
    # Notices: the list, writing, the categories and one notice's page and actions.
    for address in ("/staff/notices", "/staff/notices/new", "/staff/notices/categories"):
        assert address in console_addresses()
    for action in ("", "/edit", "/publish", "/withdraw"):
        assert f"/staff/notices/1{action}" in console_addresses()


HELP_ADDRESSES = [
    "/staff/help",
    "/staff/help/new",
    "/staff/help/1",
    "/staff/help/1/delete",
    "/staff/help/1/move",
    "/staff/help/1/reset",
    "/staff/help/categories",
    "/staff/help/categories/1/delete",
    "/staff/help/restore",
]


def test_the_help_centre_pages_are_guarded_with_the_others():
    assert set(HELP_ADDRESSES) <= set(console_addresses())


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_visitor_is_sent_to_the_staff_login_from_every_console_address(portal, method):
    for address in console_addresses():
        response = getattr(portal, method)(address)
        assert response.status_code in (302, 405), address
        if response.status_code == 302:
            assert response.url.startswith("/staff/login"), address


def test_a_signed_in_resident_is_sent_to_the_staff_login_from_every_console_address(
    portal, member, clock
):
    sign_in(portal, member)
    for address in console_addresses():
        response = portal.get(address)
        assert response.status_code in (302, 405), address
        if response.status_code == 302:
            assert response.url.startswith("/staff/login"), address


def test_a_viewer_changes_nothing_through_any_console_address(console_as):
    viewer = console_as("viewer")
    for address in console_addresses():
        response = viewer.post(address, {"reason": "確認のため"})
        assert response.status_code in (403, 405), f"{address}: {response.status_code}"
        if response.status_code == 403:
            assert "この操作はできません" in response.text, address


def test_the_inquiry_pages_are_among_the_guarded_addresses():
    addresses = console_addresses()
    assert "/staff/inquiries" in addresses and "/staff/inquiries/1" in addresses
    for action in ("assign", "answer", "status", "close"):
        assert f"/staff/inquiries/1/{action}" in addresses

"""The operator's sign-in to the admin, which sees every municipality: the same limits
and session lifetime as a resident's login, at least."""

import datetime as dt

import pytest
import time_machine

from accounts.models import User

T0 = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
OPERATOR_EMAIL = "operator@example.jp"
OPERATOR_PASSWORD = "Operator-Pass-2026"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def operator(db):
    return User.objects.create_superuser(OPERATOR_EMAIL, OPERATOR_PASSWORD)


def admin_login(client, email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD):
    return client.post(
        "/admin/login/", {"username": email, "password": password, "next": "/admin/"}
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_operator_signs_in_to_the_admin(client, operator, clock):
    assert admin_login(client).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_operator_session_ends_after_30_minutes_idle(client, operator, clock):
    admin_login(client)
    clock.shift(dt.timedelta(minutes=29))
    assert client.get("/admin/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    assert client.get("/admin/").status_code == 302
    assert not signed_in(client)


def test_an_operator_session_ends_after_12_hours_even_when_active(client, operator, clock):
    admin_login(client)
    for _ in range(24):  # 11 hours 36 minutes, never idle for 30
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/admin/").status_code == 200
    clock.shift(dt.timedelta(minutes=25))
    assert client.get("/admin/").status_code == 302

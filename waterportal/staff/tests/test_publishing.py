"""A new town waits for its 管理者 to publish it: residents see 準備中, staff prepare it."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.management import call_command
from django.test import Client

from waterportal.audit.models import AuditEvent
from waterportal.tenants.actions import do_create_tenant
from waterportal.tenants.models import Tenant
from waterportal.testing import (
    WEDNESDAY,
    Portal,
    admin_add_town,
    admin_sign_in,
    make_operator,
    make_staff,
    staff_sign_in,
)


@pytest.fixture
def new_town(db) -> Tenant:
    return do_create_tenant(
        slug="minami", name="みなみ村", department="産業建設課", phone="0120-222-333"
    )


@pytest.fixture
def browser(new_town, django_capture_on_commit_callbacks) -> Portal:
    return Portal(Client(), new_town, django_capture_on_commit_callbacks)


@pytest.fixture
def new_console(new_town, clock, django_capture_on_commit_callbacks):
    def open_console(role="manager", email="kanri@minami.example.jp") -> Portal:
        staff = make_staff(new_town, email, role=role)
        p = Portal(Client(), new_town, django_capture_on_commit_callbacks)
        staff_sign_in(p, staff)
        p.staff = staff.user
        return p

    return open_console


def test_a_new_town_starts_unpublished(new_town):
    assert new_town.published_at is None


def test_a_town_made_by_the_command_starts_unpublished_and_says_so(db, capsys):
    call_command("create_tenant", "higashi", "--name", "ひがし町")
    assert Tenant.objects.get(slug="higashi").published_at is None
    assert "まだ公開していません" in capsys.readouterr().out


@pytest.mark.parametrize(
    "path", ["/login", "/register", "/password-reset", "/", "/account", "/login?tenant=minami"]
)
def test_residents_of_an_unpublished_town_see_only_the_preparing_page(browser, path):
    browser.get("/login?tenant=minami")
    response = browser.get(path)
    assert response.status_code == 200
    assert "準備中" in response.text and "みなみ村" in response.text
    assert 'name="password"' not in response.text, "no login form"
    assert 'href="/register' not in response.text, "no registration link"
    assert "no-store" in response["Cache-Control"]


def test_registration_cannot_be_posted_in_an_unpublished_town(browser):
    browser.get("/login?tenant=minami")
    response = browser.post("/register", {"email": "someone@example.jp"})
    assert "準備中" in response.text
    assert mail.outbox == []


def test_staff_sign_in_to_an_unpublished_town_and_see_the_banner(new_console):
    console = new_console()
    home = console.get("/staff/")
    assert home.status_code == 200
    assert "このポータルはまだ公開していません" in home.text
    assert 'action="/staff/publish"' in home.text and "公開する" in home.text


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_only_the_manager_publishes(new_console, new_town, role):
    console = new_console(role, f"{role}@minami.example.jp")
    home = console.get("/staff/").text
    assert "このポータルはまだ公開していません" in home
    assert 'action="/staff/publish"' not in home and "公開は管理者が行います" in home
    assert console.post("/staff/publish").status_code == 403
    new_town.refresh_from_db()
    assert new_town.published_at is None


def test_the_manager_publishes_and_residents_get_in(new_console, new_town, browser, clock):
    console = new_console()
    browser.get("/login?tenant=minami")
    assert "準備中" in browser.get("/login").text
    response = console.post("/staff/publish", follow=True)
    assert "公開しました" in response.text
    assert "このポータルはまだ公開していません" not in response.text
    new_town.refresh_from_db()
    assert new_town.published_at == WEDNESDAY
    page = browser.get("/login")
    assert page.status_code == 200 and 'name="password"' in page.text
    assert browser.get("/register").status_code == 200
    (event,) = AuditEvent.objects.filter(action="tenant_published")
    assert event.tenant == new_town and event.actor == console.staff
    assert event.data["before"] == {"published_at": None}
    assert event.data["after"] == {"published_at": WEDNESDAY.isoformat()}


def test_a_second_publish_click_writes_nothing(new_console, new_town):
    console = new_console()
    console.post("/staff/publish")
    response = console.post("/staff/publish", follow=True)
    assert "すでに公開しています" in response.text
    assert AuditEvent.objects.filter(action="tenant_published").count() == 1


def test_publishing_one_town_leaves_another_unpublished(new_console, db):
    other = do_create_tenant(slug="nishi", name="にし町")
    new_console().post("/staff/publish")
    other.refresh_from_db()
    assert other.published_at is None


def test_an_inactive_town_does_not_exist_even_for_its_staff(new_town, browser):
    new_town.is_active = False
    new_town.save(update_fields=["is_active"])
    response = browser.get("/staff/login?tenant=minami")
    assert response.status_code == 404 and "自治体を確認できません" in response.text


def test_published_towns_are_open_as_before(portal):
    assert portal.get("/login").status_code == 200


def test_a_town_added_in_the_admin_starts_unpublished_with_the_default_settings(client, db):
    admin_sign_in(client, make_operator())
    added = admin_add_town(client)
    assert added.status_code == 302
    town = Tenant.objects.get(slug="minami")
    assert town.published_at is None
    assert (town.accent_colour, town.has_sewer, town.password_rule) == ("#0b5394", True, "guide")
    assert (town.year_end_start_month, town.year_end_start_day) == (12, 29)


def test_the_demo_town_is_published(db, tmp_path):
    call_command("seed_demo", "--dir", str(tmp_path))
    assert Tenant.objects.get(slug="oumu").published_at is not None


def test_the_migration_keeps_the_towns_already_in_use_published(new_town):
    migration = importlib.import_module(
        "waterportal.tenants.migrations.0006_town_settings_and_publishing"
    )
    migration.publish_existing_towns(django_apps, None)
    new_town.refresh_from_db()
    assert new_town.published_at is not None

"""The operator's own events are on the log with no town (the admin shows them, no
town's console does); what management commands change is on the log with the
operating-system user as the actor."""

import datetime as dt
import getpass
import io

import pytest
from django.core.management import call_command
from django.test import Client

from waterportal.audit import words
from waterportal.audit.models import AuditEvent
from waterportal.testing import (
    CUSTOMERS,
    admin_sign_in,
    authenticator_code,
    csv_bytes,
    customer_row,
    make_customer,
    make_link,
    make_operator,
)
from waterportal.testing.personas import OPERATOR

OS_USER = getpass.getuser()


def operator_rows(action: str):
    return AuditEvent.objects.filter(tenant__isnull=True, action=action)


def test_the_operators_admin_login_is_on_record_with_no_town(client, db):
    operator = make_operator()
    admin_sign_in(client, operator)
    row = operator_rows("operator_login").get()
    assert row.actor == operator and row.source == "127.0.0.1"
    assert words.describe_all([row])[0].action == "運用者のログイン（管理サイト）"


def wrong_code(operator) -> str:
    right = authenticator_code(operator)
    return "111111" if right != "111111" else "222222"


@pytest.mark.parametrize("step", ["password", "code"])
def test_a_failed_admin_login_is_on_record_with_no_town(client, db, step):
    operator = make_operator()
    if step == "password":
        password, code = "wrong-password", authenticator_code(operator)
    else:
        password, code = OPERATOR.password, wrong_code(operator)
    response = client.post(
        "/admin/login/",
        {"username": operator.email, "password": password, "otp_token": code, "next": "/admin/"},
    )
    assert response.status_code == 200
    row = operator_rows("operator_login_failed").get()
    assert row.actor == operator and row.data == {"step": step}
    assert not operator_rows("operator_login").exists()


def test_a_failed_admin_login_with_an_unknown_address_names_no_one(client, db):
    client.post("/admin/login/", {"username": "who@example.jp", "password": "x", "otp_token": ""})
    row = operator_rows("operator_login_failed").get()
    assert row.actor is None and "who@" not in str(row.data)


def test_the_operators_enrolment_by_command_is_on_record_with_no_town(db):
    operator = make_operator()
    call_command("operator_authenticator", operator.email, stdout=io.StringIO())
    row = operator_rows("operator_enrolled").latest("pk")
    assert row.data == {"operator": operator.pk, "os_user": OS_USER}
    entry = words.describe_all([row])[0]
    assert entry.actor == f"コマンド（OSユーザー {OS_USER}）"
    assert ("運用者", "（氏名なし）（operator@example.jp）") in entry.details


def test_the_operator_sees_its_own_rows_in_the_admin_in_words(client, db):
    operator = make_operator()
    admin_sign_in(client, operator)
    listing = client.get("/admin/audit/auditevent/").content.decode()
    assert "運用者のログイン（管理サイト）" in listing
    assert "（運用者）" in listing and "operator@example.jp" in listing
    assert ">operator_login<" not in listing  # the action filter too is in words


def test_the_admin_shows_a_towns_row_in_words_and_stays_read_only(client, tenant, member):
    from waterportal.audit.actions import record
    from waterportal.testing import make_staff

    suido = make_staff(tenant).user
    event = record(
        tenant,
        "staff_role_changed",
        actor=suido,
        member=member,
        before={"staff_role": "clerk"},
        after={"staff_role": "manager"},
    )
    admin_sign_in(client, make_operator())
    listing = client.get("/admin/audit/auditevent/").content.decode()
    assert "職員の権限を変更" in listing and "水道係 一郎（suido@town.oumu.example.jp）" in listing
    assert "水道 花子 hanako@example.jp" in listing and "#1" not in listing
    detail = client.get(f"/admin/audit/auditevent/{event.pk}/change/").content.decode()
    assert "権限: 担当者 → 管理者" in detail
    assert 'name="_save"' not in detail and "deletelink" not in detail
    assert "auditevent/add/" not in listing


# --- Management commands -----------------------------------------------------------


def command_row(tenant):
    return AuditEvent.objects.get(tenant=tenant, action="command_run")


def test_create_tenant_is_on_the_new_towns_log(db):
    call_command("create_tenant", "minami", "--name", "みなみ村", stdout=io.StringIO())
    from waterportal.tenants.models import Tenant

    town = Tenant.objects.get(slug="minami")
    row = command_row(town)
    assert row.actor is None
    assert row.data == {"os_user": OS_USER, "command": "create_tenant", "slug": "minami"}
    entry = words.describe_all([row])[0]
    assert entry.actor == f"コマンド（OSユーザー {OS_USER}）" and entry.action == "コマンドを実行"


def test_import_data_is_on_record_with_its_run(tenant, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(CUSTOMERS, customer_row()))
    call_command("import_data", "customers", str(path), "--tenant", "oumu", stdout=io.StringIO())
    run_row = AuditEvent.objects.get(tenant=tenant, action="import")
    row = command_row(tenant)
    assert row.data == {
        "os_user": OS_USER,
        "command": "import_data",
        "kind": "customers",
        "run": run_row.data["run_id"],
    }
    assert "customers.csv" not in str(row.data)


def test_activate_links_is_on_each_towns_log(tenant, other_tenant, member):
    customer = make_customer(tenant, number="10100001")
    make_link(member, customer, active_from=dt.date(2026, 12, 1))
    call_command("activate_links", "--as-of", "2026-12-01", stdout=io.StringIO())
    assert command_row(tenant).data == {
        "os_user": OS_USER,
        "command": "activate_links",
        "as_of": "2026-12-01",
        "activated": 1,
    }
    assert command_row(other_tenant).data["activated"] == 0
    assert dict(words.describe_all([command_row(tenant)])[0].details)["有効にした紐付け"] == "1"


def test_create_staff_carries_the_os_user_on_its_own_row(tenant, monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "Jousui-Kakari-2026")
    call_command(
        "create_staff", "oumu", "new@town.oumu.example.jp", "--role", "担当者", stdout=io.StringIO()
    )
    row = AuditEvent.objects.get(tenant=tenant, action="staff_created")
    assert row.data["os_user"] == OS_USER and row.data["role"] == "clerk"
    entry = words.describe_all([row])[0]
    assert entry.actor == f"コマンド（OSユーザー {OS_USER}）"
    assert ("権限", "担当者") in entry.details
    assert not AuditEvent.objects.filter(action="command_run").exists()


def test_a_town_manager_never_sees_the_operators_or_the_commands_of_another_town(
    console, other_tenant
):
    operator = make_operator()
    admin_sign_in(Client(), operator)
    call_command("operator_authenticator", operator.email, stdout=io.StringIO())
    call_command("activate_links", "--tenant", "kita", stdout=io.StringIO())
    entries = console.get("/staff/audit").context["entries"]
    assert {e.event.tenant_id for e in entries} == {console.tenant.pk}
    assert not any(e.event.action.startswith("operator_") for e in entries)

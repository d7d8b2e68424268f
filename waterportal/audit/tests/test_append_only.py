"""The audit log is append-only: the portal works as a database user denied UPDATE,
DELETE and TRUNCATE on it, and deleting an account or a town leaves its rows as they are."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from waterportal.accounts.actions import do_purge_expired, do_withdraw_member
from waterportal.accounts.models import User
from waterportal.audit.actions import do_record_look, record
from waterportal.audit.models import AuditEvent, Look
from waterportal.testing import (
    CUSTOMERS,
    TARO,
    Portal,
    admin_sign_in,
    csv_bytes,
    customer_row,
    full_registration,
    make_customer,
    make_operator,
    sign_in,
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's"
)


@pytest.fixture
def as_portal_user(db):
    """From here on the test runs as a role that may do everything the portal's user
    may, except UPDATE, DELETE and TRUNCATE on the audit log, as the README says to set
    up production. The role lives in the test's transaction and goes with its rollback."""
    role = f"portal_no_audit_change_{connection.settings_dict['NAME']}"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        cursor.execute(
            f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent, audit_look FROM "{role}"'
        )
        cursor.execute(f'SET ROLE "{role}"')
    yield role


def refused(statement) -> bool:
    try:
        with transaction.atomic():
            statement()
    except DatabaseError as exc:
        return "permission denied" in str(exc)
    return False


@postgres_only
def test_the_role_cannot_change_or_erase_a_row(tenant, as_portal_user):
    event = record(tenant, "login_locked")
    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="x"))
    assert refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    assert refused(lambda: Look.objects.all().delete())
    assert AuditEvent.objects.filter(pk=event.pk, action="login_locked").exists()


@postgres_only
def test_the_portal_works_without_update_or_delete_on_the_log(
    portal, tenant, clock, django_capture_on_commit_callbacks, tmp_path, as_portal_user
):
    make_customer(tenant, number="12345678", kana="スイドウ タロウ")
    before = AuditEvent.objects.count()
    # A resident registers, signs in, looks at a page, and withdraws.
    assert full_registration(portal).status_code == 302
    sign_in(portal, TARO)
    taro = User.members.get(tenant=tenant, email=TARO.email)
    assert portal.get("/").status_code == 200
    do_withdraw_member(taro)
    # Staff are created by command, sign in, look at the member and at the log.
    console = _console(tenant, django_capture_on_commit_callbacks)
    assert console.get(f"/staff/members/{taro.pk}").status_code == 200
    assert console.get("/staff/members", {"q": "taro@"}).status_code == 200
    assert console.get("/staff/audit").status_code == 200
    assert b"".join(console.get("/staff/audit.csv").streaming_content)
    # An import and the daily activation, by command.
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(CUSTOMERS, customer_row()))
    call_command("import_data", "customers", str(path), "--tenant", "oumu", stdout=io.StringIO())
    call_command("activate_links", stdout=io.StringIO())
    # The operator signs in to the admin; the daily purge runs; a member is deleted.
    admin_sign_in(Client(), make_operator())
    do_purge_expired()
    taro_id = taro.pk
    taro.delete()

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"member_registered", "login", "member_withdrawn", "staff_created", "staff_login"} <= (
        actions
    )
    assert {"staff_viewed_member", "staff_viewed_audit_log", "operator_login"} <= actions
    assert {"import", "command_run", "staff_downloaded_audit_log"} <= actions
    assert AuditEvent.objects.count() > before
    assert AuditEvent.objects.filter(member_id=taro_id, action="member_withdrawn").exists()
    assert Look.objects.filter(member_id=taro_id).exists()


def _console(tenant, capture) -> Portal:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waterportal.testing import staff_sign_in
    from waterportal.testing.factories import StaffAccount

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STAFF_PASSWORD", "Jousui-Kakari-2026")
        call_command(
            "create_staff", "oumu", "suido@town.oumu.example.jp", "--role", "管理者", stdout=out
        )
    user = User.objects.get(tenant=tenant, email="suido@town.oumu.example.jp")
    account = StaffAccount(user, TOTPDevice.objects.get(user=user), [], "Jousui-Kakari-2026")
    console = Portal(Client(), tenant, capture)
    console.open_tenant()
    staff_sign_in(console, account)
    return console


def test_deleting_an_account_or_a_town_leaves_the_log_as_it_is(tenant, member):
    from waterportal.testing import make_staff

    staff = make_staff(tenant).user
    event = record(tenant, "staff_viewed_member", actor=staff, member=member)
    do_record_look(tenant, member, "viewed_bill", source="203.0.113.5", month="2026-10")
    ids: tuple[int, int, int] = (tenant.pk, staff.pk, member.pk)
    member.delete()
    staff.delete()
    tenant.delete()
    event.refresh_from_db()
    assert (event.tenant_id, event.actor_id, event.member_id) == ids
    assert Look.objects.filter(tenant_id=ids[0], member_id=ids[2]).count() == 1

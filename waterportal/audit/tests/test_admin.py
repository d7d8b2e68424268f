"""The audit log in the admin: staff read it; nobody adds, edits or deletes a row."""

import pytest

from waterportal.audit.actions import record
from waterportal.audit.models import AuditEvent
from waterportal.testing import admin_sign_in, make_member, make_operator


@pytest.fixture
def operator(client, db):
    user = make_operator()
    admin_sign_in(client, user)
    return user


@pytest.fixture
def event(tenant):
    return record(tenant, "login_locked")


def test_the_operator_reads_the_audit_log(client, operator, event):
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200


def test_no_audit_row_can_be_added_from_the_admin(client, operator, tenant):
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    response = client.post(
        "/admin/audit/auditevent/add/", {"tenant": tenant.pk, "action": "login_locked"}
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(tenant=tenant).exists()


def test_no_audit_row_can_be_changed_or_deleted_from_the_admin(client, operator, event):
    url = f"/admin/audit/auditevent/{event.pk}/"
    assert client.post(url + "change/", {"action": "nothing_happened"}).status_code == 403
    assert client.get(url + "delete/").status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    changelist = client.post(
        "/admin/audit/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    event.refresh_from_db()
    assert event.action == "login_locked"


def test_the_operator_reads_the_looks_and_nobody_writes_them(client, operator, tenant):
    from waterportal.audit.actions import do_record_look
    from waterportal.audit.models import Look

    member = make_member(tenant)
    do_record_look(tenant, member, "viewed_bill", source="203.0.113.5", month="2026-10")
    look = Look.objects.get()
    listing = client.get("/admin/audit/look/")
    assert listing.status_code == 200 and "203.0.113.5" in listing.text
    assert client.get(f"/admin/audit/look/{look.pk}/change/").status_code == 200
    assert client.get("/admin/audit/look/add/").status_code == 403
    assert client.post(f"/admin/audit/look/{look.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Look.objects.count() == 1

"""New bills and important notices reach the members' browsers too: the same members as
their emails (one selection, in exchange and in notices), after the import commits, and
nobody whose account was withdrawn, stopped or signed out everywhere by staff."""

import datetime as dt

import pytest

from waterportal.accounts.actions import do_end_member_sessions, do_lock_member, do_withdraw_member
from waterportal.audit.models import AuditEvent
from waterportal.devices.actions import do_subscribe_push
from waterportal.devices.models import WebPushSubscription
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    WEDNESDAY,
    Browser,
    Importer,
    bill_row,
    csv_bytes,
    customer_row,
    mails_to,
    make_customer,
    make_link,
    make_member,
    make_staff,
)
from waterportal.testing.notices import make_notice

pytestmark = pytest.mark.usefixtures("clock")

EARLIER = WEDNESDAY - dt.timedelta(days=7)


def subscribe(member, service, name="Chrome (Android)") -> Browser:
    browser = Browser(service.endpoint())
    do_subscribe_push(member, *browser.keys(), name=name)
    return browser


def messages_to(browser: Browser, service) -> list[dict]:
    path = browser.endpoint.removeprefix(service.origin)
    return [browser.decrypt(r) for r in service.received if r.path == path]


@pytest.fixture
def ledger(tenant, tmp_path, django_capture_on_commit_callbacks):
    importer = Importer(tmp_path)
    rows = [customer_row(f"1001-000{i}", kana=f"ヤマダ タロウ{'ア' * i}") for i in (1, 2, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        assert importer(tenant, "customers", csv_bytes(CUSTOMERS, *rows)).status == "succeeded"
    from waterportal.contracts.models import Customer

    return importer, {c.number: c for c in Customer.objects.filter(tenant=tenant)}


def link(member, customer):
    return make_link(member, customer)


def bills(*numbers, **over):
    return csv_bytes(BILLS, *(bill_row(n, "2026-10", **over) for n in numbers))


# --- New bills -------------------------------------------------------------------------------


def test_a_bills_import_pushes_to_the_members_it_emails_after_it_commits(
    tenant, ledger, push_service, django_capture_on_commit_callbacks
):
    importer, customers = ledger
    told = make_member(tenant, "told@example.jp", name="山田 太郎")
    link(told, customers["10010001"])
    phone = subscribe(told, push_service)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = importer(tenant, "bills", bills("1001-0001", water=3456))
    assert run.status == "succeeded"
    assert push_service.received == []  # nothing before the import's COMMIT
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    assert len(mails_to("told@example.jp")) == 1
    (message,) = messages_to(phone, push_service)
    assert message == {
        "title": "おうむ町 水道ポータル",
        "body": "新しい請求のお知らせが届きました。",
        "url": "/?tenant=oumu",
        "tag": "new-bill",
    }
    text = str(message)
    for secret in ("3456", "3,456", "山田", "ヤマダ", "10010001", "1001-0001", "told@"):
        assert secret not in text


def test_members_the_new_bill_emails_leave_out_get_no_push(
    tenant, other_tenant, ledger, push_service, django_capture_on_commit_callbacks
):
    importer, customers = ledger
    quiet = make_member(tenant, "quiet@example.jp")
    quiet.notify_new_bill = False
    quiet.save(update_fields=["notify_new_bill"])
    link(quiet, customers["10010001"])
    unbilled = make_member(tenant, "unbilled@example.jp")
    link(unbilled, customers["10010002"])
    told = make_member(tenant, "told@example.jp")
    link(told, customers["10010003"])
    # A member of the other town, with a browser of their own and a contract there.
    stranger = make_member(other_tenant, "told@example.jp")
    make_link(stranger, make_customer(other_tenant, number="10010001"))
    browsers = {who: subscribe(who, push_service) for who in (quiet, unbilled, told, stranger)}

    with django_capture_on_commit_callbacks(execute=True):
        importer(tenant, "bills", bills("1001-0001", "1001-0003"))

    assert len(messages_to(browsers[told], push_service)) == 1
    assert len(push_service.received) == 1
    # The other town's browser is untouched: there, and not sent to.
    assert WebPushSubscription.objects.filter(member=stranger).count() == 1


def test_a_browser_gone_since_is_forgotten_when_the_bills_come(
    tenant, ledger, push_service, django_capture_on_commit_callbacks
):
    importer, customers = ledger
    told = make_member(tenant, "told@example.jp")
    link(told, customers["10010001"])
    subscribe(told, push_service)
    push_service.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        importer(tenant, "bills", bills("1001-0001"))
    assert len(push_service.received) == 1
    assert not WebPushSubscription.objects.exists()
    assert len(mails_to("told@example.jp")) == 1  # the email, of course, still goes


# --- Important notices ---------------------------------------------------------------------


def test_an_important_notice_pushes_a_generic_line_and_its_link(
    tenant, push_service, django_capture_on_commit_callbacks
):
    member = make_member(tenant)
    phone = subscribe(member, push_service)
    quiet = make_member(tenant, "quiet@example.jp")
    quiet.notify_notices = False
    quiet.save(update_fields=["notify_notices"])
    quiet_phone = subscribe(quiet, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        notice = make_notice(tenant, title="給水停止の予告", important=True)

    (message,) = messages_to(phone, push_service)
    assert message == {
        "title": "おうむ町 水道ポータル",
        "body": "重要なお知らせがあります。",
        "url": f"/notices/{notice.pk}?tenant=oumu",
        "tag": "notice",
    }
    # The title stays behind the login: a lock screen shows this to whoever is near.
    assert "給水停止" not in str(message)
    assert messages_to(quiet_phone, push_service) == []


def test_a_notice_for_some_contracts_pushes_to_their_members_only(
    tenant, push_service, django_capture_on_commit_callbacks
):
    mine = make_customer(tenant, number="10010001")
    member = make_member(tenant)
    make_link(member, mine)
    other = make_member(tenant, "other@example.jp")
    make_link(other, make_customer(tenant, number="10010002"))
    phone, others_phone = subscribe(member, push_service), subscribe(other, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        make_notice(tenant, important=True, audience="contracts", targets=[mine.pk])
    assert len(messages_to(phone, push_service)) == 1
    assert messages_to(others_phone, push_service) == []


def test_an_ordinary_notice_pushes_nothing(
    tenant, push_service, django_capture_on_commit_callbacks
):
    subscribe(make_member(tenant), push_service)
    with django_capture_on_commit_callbacks(execute=True):
        make_notice(tenant, important=False)
    assert push_service.received == []


# --- The end of an account, or of its sessions ----------------------------------------


def test_a_withdrawn_member_s_browsers_are_removed_and_get_nothing(
    tenant, ledger, push_service, django_capture_on_commit_callbacks
):
    importer, customers = ledger
    member = make_member(tenant)
    link(member, customers["10010001"])
    subscribe(member, push_service)
    neighbour = make_member(tenant, "tonari@example.jp")
    subscribe(neighbour, push_service)
    do_withdraw_member(member)
    # Withdrawal anonymises the account rather than deleting it: nothing cascades.
    member.refresh_from_db()
    assert not member.is_active
    assert list(WebPushSubscription.objects.values_list("member", flat=True)) == [neighbour.pk]
    with django_capture_on_commit_callbacks(execute=True):
        make_notice(tenant, important=True)
    assert len(push_service.received) == 1  # the neighbour's


@pytest.mark.parametrize("action", [do_lock_member, do_end_member_sessions])
def test_staff_stopping_an_account_or_signing_it_out_everywhere_ends_its_push(
    tenant, vapid, action
):
    staff = make_staff(tenant).user
    member = make_member(tenant)
    do_subscribe_push(member, *Browser("https://fcm.googleapis.com/fcm/send/a").keys(), name="x")
    action(member, actor=staff, reason="端末の紛失", source="192.0.2.1")
    assert not WebPushSubscription.objects.exists()
    assert AuditEvent.objects.filter(member=member, actor=staff).exists()

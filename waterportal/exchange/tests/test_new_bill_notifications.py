"""After a bills import, one email per member with an active link to a billed contract."""

import base64
import datetime as dt
import json
import os

import psycopg
import pytest
import redis
from django.core import mail
from django.db import connection
from django.utils import translation

from waterportal import emails
from waterportal.billing.models import Bill
from waterportal.contracts.models import Link
from waterportal.emails import deliver_outbox, sweep_outbox
from waterportal.exchange.actions import cards_then_emails, do_notify_new_bills
from waterportal.exchange.models import ImportRun
from waterportal.exchange.notifications import SEND_WITHIN, SWEEP_AFTER
from waterportal.exchange.tasks import sweep_missed_notifications
from waterportal.outbox.models import OutboxEmail
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    REDIS_URL,
    WEDNESDAY,
    Importer,
    SMTPServer,
    admin_sign_in,
    bill_row,
    broker,
    conninfo,
    csv_bytes,
    customer_row,
    free_port,
    html_of,
    mails_to,
    make_member,
    make_operator,
    redis_available,
    smtp_mailer,
)

# Every test runs on the clock, which starts at WEDNESDAY.
pytestmark = pytest.mark.usefixtures("clock")
EARLIER = WEDNESDAY - dt.timedelta(days=7)


@pytest.fixture
def importer(tmp_path, django_capture_on_commit_callbacks):
    base = Importer(tmp_path)

    def run(tenant, kind, data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return base(tenant, kind, data, **kwargs)

    return run


@pytest.fixture
def crashed_importer(tmp_path):
    """Imports as a process that died just after its COMMIT: its on_commit hooks, which
    queue the emails, never run (nor do they in a test's transaction, which never commits)."""
    return Importer(tmp_path)


@pytest.fixture
def queue():
    if not redis_available() and not os.environ.get("CI"):
        pytest.skip("needs Redis on 127.0.0.1:6379")
    queue = redis.Redis.from_url(REDIS_URL)
    queue.flushdb()
    yield queue
    queue.flushdb()


@pytest.fixture
def ledger(tenant, importer):
    rows = [customer_row(f"1001-000{i}", kana=f"ヤマダ タロウ{'ア' * i}") for i in range(1, 4)]
    assert importer(tenant, "customers", csv_bytes(CUSTOMERS, *rows)).status == "succeeded"
    from waterportal.contracts.models import Customer

    return {c.number: c for c in Customer.objects.filter(tenant=tenant)}


def link(member, customer, *, active_from=None, revoked=False, relationship="家族"):
    return Link.objects.create(
        tenant=customer.tenant,
        member=member,
        customer=customer,
        relationship=relationship,
        created_at=EARLIER,
        active_from=active_from or EARLIER.date(),
        revoked_at=WEDNESDAY if revoked else None,
    )


def bills(*numbers, month="2026-10", **over):
    return csv_bytes(BILLS, *(bill_row(n, month, **over) for n in numbers))


def test_a_member_with_two_billed_contracts_gets_one_email(tenant, ledger, importer):
    member = make_member(tenant, "two@example.jp")
    link(member, ledger["10010001"])
    link(member, ledger["10010002"])
    importer(tenant, "bills", bills("1001-0001", "1001-0002"))
    (message,) = mails_to("two@example.jp")
    assert "新しい検針・料金" in message.subject
    assert "/login?tenant=oumu" in message.body


def test_the_email_holds_no_amounts_names_or_numbers(tenant, ledger, importer):
    member = make_member(tenant, "one@example.jp", name="山田 太郎")
    link(member, ledger["10010001"])
    importer(tenant, "bills", bills("1001-0001", water=3456, sewer=2100))
    (message,) = mails_to("one@example.jp")
    html = html_of(message)
    for secret in ("3456", "3,456", "5556", "5,556", "山田", "ヤマダ", "10010001", "1001-0001"):
        assert secret not in message.body and secret not in html


def test_who_is_not_told(tenant, other_tenant, ledger, importer):
    billed = ledger["10010001"]
    link(
        make_member(tenant, "pending@example.jp"),
        billed,
        active_from=WEDNESDAY.date() + dt.timedelta(days=1),
    )
    link(make_member(tenant, "revoked@example.jp"), billed, revoked=True)
    quiet = make_member(tenant, "quiet@example.jp")
    quiet.notify_new_bill = False
    quiet.save(update_fields=["notify_new_bill"])
    link(quiet, billed)
    link(make_member(tenant, "unbilled@example.jp"), ledger["10010003"])
    make_member(other_tenant, "pending@example.jp")
    importer(tenant, "bills", bills("1001-0001"))
    assert mail.outbox == []


def test_a_correction_tells_again_and_an_identical_file_does_not(tenant, ledger, importer):
    member = make_member(tenant, "one@example.jp")
    link(member, ledger["10010001"])
    importer(tenant, "bills", bills("1001-0001"))
    importer(tenant, "bills", bills("1001-0001"))  # known by its digest, not read
    importer(tenant, "bills", bills("1001-0001"), again=True)  # read, every row unchanged
    assert len(mails_to("one@example.jp")) == 1
    importer(tenant, "bills", bills("1001-0001", water=3500))
    assert len(mails_to("one@example.jp")) == 2
    assert Bill.objects.get().water_charge == 3500


def test_a_rejected_file_tells_no_one(tenant, ledger, importer):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    run = importer(tenant, "bills", bills("1001-0001", "9999-9999"))
    assert run.status == "rejected"
    assert mail.outbox == []


def test_notifying_twice_for_one_import_sends_once(tenant, ledger, importer):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    run = importer(tenant, "bills", bills("1001-0001"))
    assert do_notify_new_bills(run.pk) == 0
    assert len(mails_to("one@example.jp")) == 1


def test_the_bill_remembers_which_import_last_changed_it(tenant, ledger, importer):
    first = importer(tenant, "bills", bills("1001-0001"))
    importer(tenant, "bills", bills("1001-0001"))  # unchanged
    assert Bill.objects.get().import_run_id == first.pk
    third = importer(tenant, "bills", bills("1001-0001", water=3500))
    assert Bill.objects.get().import_run_id == third.pk


def test_the_new_bill_email_goes_out_through_a_real_smtp_server(tenant, ledger, importer, settings):
    server = SMTPServer().start()
    try:
        smtp_mailer(settings, server.port, timeout=5)
        link(make_member(tenant, "smtp@example.jp"), ledger["10010001"])
        importer(tenant, "bills", bills("1001-0001"))
        (message,) = server.inbox.wait_for(1, timeout=10)
    finally:
        server.stop()
    assert message["To"] == "smtp@example.jp"
    assert "新しい検針・料金" in message["Subject"]
    # One click in the mail program turns these emails off (RFC 8058).
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in message["List-Unsubscribe"]
    text = message.get_body(("plain",))
    assert text is not None
    assert "/login?tenant=oumu" in text.get_content()


def test_a_queued_new_bill_email_is_the_address_and_names_and_renders_as_before(
    tenant, ledger, crashed_importer, queue, django_capture_on_commit_callbacks
):
    one, two = make_member(tenant, "one@example.jp"), make_member(tenant, "two@example.jp")
    link(one, ledger["10010001"])
    link(two, ledger["10010002"])
    run = crashed_importer(tenant, "bills", bills("1001-0001", "1001-0002"))

    with broker(), django_capture_on_commit_callbacks(execute=True):
        assert do_notify_new_bills(run.pk) == 2

    # The outbox holds the address and the names, not the rendered email (about 7 KB).
    rows = sorted(OutboxEmail.objects.filter(batch=f"new_bill:{run.pk}"), key=lambda r: r.to)
    assert [(r.to, r.state, r.subject, r.html) for r in rows] == [
        ("one@example.jp", "queued", "", ""),
        ("two@example.jp", "queued", "", ""),
    ]
    # With the member's id and the kind of email, for the one-click unsubscribe headers.
    assert [r.recipe for r in rows] == [
        {"name": "new_bill", "member_id": one.pk, "unsubscribe": "new_bill"},
        {"name": "new_bill", "member_id": two.pk, "unsubscribe": "new_bill"},
    ]
    # One task for both: it draws their home cards (naming the members and their
    # language), then wakes a worker for their rows, naming the rows only.
    (call,) = [json.loads(raw) for raw in queue.lrange("celery", 0, -1)]
    assert call["headers"]["task"] == "waterportal.exchange.actions.cards_then_emails"
    tenant_id, members, ids = json.loads(base64.b64decode(call["body"]))[0]
    assert (tenant_id, members) == (tenant.pk, [[one.pk, ""], [two.pk, ""]])
    assert sorted(ids) == sorted(r.pk for r in rows)
    queue.delete("celery")
    with broker():
        kept = cards_then_emails.apply(args=(tenant_id, members, ids), throw=True).get()
    assert kept == 4  # each member's summary and cards
    (call,) = [json.loads(raw) for raw in queue.lrange("celery", 0, -1)]
    assert call["headers"]["task"] == "waterportal.emails.deliver_outbox"
    assert json.loads(base64.b64decode(call["body"]))[0] == [ids]
    arguments = [ids]
    # What the worker sends: the email rendered as it was before into each message,
    # Japanese whatever the worker's language.
    with translation.override("en"):
        for args in arguments:
            deliver_outbox.apply(args=(args,), throw=True)
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.jp", "two@example.jp"]
    for message, member in zip(sorted(mail.outbox, key=lambda m: m.to[0]), (one, two), strict=True):
        unsubscribe = emails.unsubscribe_url(member.pk, "new_bill")
        subject, text, html = emails.render(
            "new_bill", {"tenant": tenant, "unsubscribe_url": unsubscribe}
        )
        assert subject == "【おうむ町 水道ポータル】新しい検針・料金のお知らせ"
        assert "新しい検針・料金の情報が届きました" in text and "0120-000-111" in text
        assert (message.subject, message.body, html_of(message)) == (subject, text, html)
        assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def sweep() -> dict[str, int]:
    return sweep_missed_notifications.delay().get()


def test_the_schedule_sweeps_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-missed-notifications"]
    assert entry["task"] == sweep_missed_notifications.name
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_the_sweep_sends_the_emails_of_an_import_whose_process_died_after_commit(
    tenant, other_tenant, ledger, crashed_importer, clock
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    run = crashed_importer(tenant, "bills", bills("1001-0001"))
    assert (run.status, run.notified_at, mail.outbox) == ("succeeded", None, [])

    clock.shift(SWEEP_AFTER + dt.timedelta(minutes=1))
    assert sweep() == {"oumu": 1, "kita": 0}

    (message,) = mails_to("one@example.jp")
    assert "新しい検針・料金" in message.subject
    run.refresh_from_db()
    assert run.notified_at == WEDNESDAY + SWEEP_AFTER + dt.timedelta(minutes=1)


def test_the_sweep_leaves_a_just_finished_import_to_its_own_queueing(
    tenant, ledger, crashed_importer, clock
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    crashed_importer(tenant, "bills", bills("1001-0001"))
    clock.shift(SWEEP_AFTER - dt.timedelta(minutes=1))
    assert sweep() == {"oumu": 0}
    assert mail.outbox == []


def test_bills_imported_longer_ago_than_the_bound_are_never_announced(
    tenant, ledger, crashed_importer, clock
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    clock.move_to(WEDNESDAY - SEND_WITHIN - dt.timedelta(minutes=1))
    stale = crashed_importer(tenant, "bills", bills("1001-0001"))
    clock.move_to(WEDNESDAY)

    assert sweep() == {"oumu": 0}
    assert do_notify_new_bills(stale.pk) == 0  # its task, say, waited in a stopped queue
    assert mail.outbox == []
    stale.refresh_from_db()
    assert stale.notified_at is None


def test_the_sweep_passes_over_imports_that_billed_nothing_new(
    tenant, ledger, importer, crashed_importer, clock
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    importer(tenant, "bills", bills("1001-0001"))
    crashed_importer(tenant, "bills", bills("1001-0001"))  # unchanged
    crashed_importer(tenant, "bills", bills("1001-0001", "9999-9999"))  # rejected
    clock.shift(SWEEP_AFTER + dt.timedelta(minutes=1))
    assert sweep() == {"oumu": 0}
    assert len(mails_to("one@example.jp")) == 1


def test_an_import_is_mailed_once_however_often_it_is_swept(
    tenant, ledger, importer, crashed_importer, clock
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    link(make_member(tenant, "two@example.jp"), ledger["10010002"])
    importer(tenant, "bills", bills("1001-0001"))  # queued after its commit, as normally
    crashed_importer(tenant, "bills", bills("1001-0002"))
    clock.shift(SWEEP_AFTER + dt.timedelta(minutes=1))
    assert sweep() == {"oumu": 1}
    assert sweep() == {"oumu": 0}
    clock.shift(dt.timedelta(minutes=5))
    assert sweep() == {"oumu": 0}
    assert len(mails_to("one@example.jp")) == 1
    assert len(mails_to("two@example.jp")) == 1


@pytest.mark.django_db(transaction=True)
def test_an_import_being_queued_by_one_process_is_skipped_by_another(
    tenant, ledger, importer, clock
):
    """Two notifiers at once (the import's task and a sweep's, or two sweeps'): the one
    that finds the run locked leaves it, and if the first fails the run is sent later."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the second waits, then finds it claimed")
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    run = importer(tenant, "bills", bills("1001-0001"))
    ImportRun.objects.filter(pk=run.pk).update(notified_at=None)  # its queueing was lost
    mail.outbox.clear()
    clock.shift(SWEEP_AFTER + dt.timedelta(minutes=1))

    with psycopg.connect(**conninfo()) as other:
        # What a notifier holds while it queues: the run's row, locked, until its COMMIT.
        other.execute(
            f"SELECT id FROM {ImportRun._meta.db_table} WHERE id = %s FOR UPDATE", [run.pk]
        )
        assert do_notify_new_bills(run.pk) == 0
        assert sweep() == {"oumu": 1}  # its task, run at once here, skips it too
        assert mail.outbox == []
        other.rollback()  # that notifier died (or its broker failed) before its COMMIT

    assert sweep() == {"oumu": 1}
    assert len(mails_to("one@example.jp")) == 1
    assert sweep() == {"oumu": 0}
    assert len(mails_to("one@example.jp")) == 1


def test_a_broker_failure_after_the_emails_are_written_loses_none_the_outbox_sweep_sends_them(
    tenant, ledger, crashed_importer, clock, django_capture_on_commit_callbacks
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    run = crashed_importer(tenant, "bills", bills("1001-0001"))

    with (
        broker(f"redis://127.0.0.1:{free_port()}/0"),  # nothing listens there
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert do_notify_new_bills(run.pk) == 1

    run.refresh_from_db()
    assert run.notified_at is not None
    assert mails_to("one@example.jp") == []
    assert sweep_outbox.apply().get() == 1
    assert len(mails_to("one@example.jp")) == 1
    assert sweep_outbox.apply().get() == 0
    assert len(mails_to("one@example.jp")) == 1


def test_an_import_succeeds_when_its_emails_cannot_be_queued_and_the_sweep_sends_them(
    tenant, ledger, importer, clock, caplog
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])

    with broker(f"redis://127.0.0.1:{free_port()}/0"):
        run = importer(tenant, "bills", bills("1001-0001"))

    assert (run.status, run.added) == ("succeeded", 1)
    assert any("on_commit" in r.getMessage() for r in caplog.records)
    clock.shift(SWEEP_AFTER + dt.timedelta(minutes=1))
    assert sweep() == {"oumu": 1}
    assert len(mails_to("one@example.jp")) == 1


def test_the_import_history_shows_staff_what_became_of_the_new_bill_emails(
    tenant, ledger, importer, crashed_importer, clock, client
):
    link(make_member(tenant, "one@example.jp"), ledger["10010001"])
    clock.move_to(WEDNESDAY - SEND_WITHIN - dt.timedelta(minutes=1))
    crashed_importer(tenant, "bills", bills("1001-0001", month="2026-09"))  # never sent
    clock.move_to(WEDNESDAY)
    importer(tenant, "bills", bills("1001-0001", month="2026-10"))  # sent at once
    crashed_importer(tenant, "bills", bills("1001-0002", month="2026-10"))  # for the sweep

    operator = make_operator()
    admin_sign_in(client, operator)
    page = client.get("/admin/exchange/importrun/").text
    assert "送信済み 1件・送信待ち 0件・送信できず 0件（2026-11-25 10:00 から）" in page
    assert "送信待ち" in page
    assert "送信されません（取り込みから3日を過ぎました）" in page

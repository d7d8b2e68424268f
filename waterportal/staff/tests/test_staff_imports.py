"""Staff upload exchange-v1 files in the console (here the queue runs inline, as in
``make run``), follow the import's progress, read its report, and see the town's history
of imports; each look at a report and each upload on record. The same worker through a
real Celery worker and Redis: ``test_staff_imports_worker.py``."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone

from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Customer
from waterportal.exchange import actions
from waterportal.exchange.actions import do_import_file, do_upload_import
from waterportal.exchange.models import ImportRun
from waterportal.outbox import store
from waterportal.testing import (
    CUSTOMERS,
    another_import,
    broker,
    csv_bytes,
    customer_row,
    make_customer,
    staff_sign_in,
    text_of,
)

GOOD = csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002"))
BAD = csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002", kana="Yamada"))


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    return settings.IMPORT_UPLOAD_DIR


def leftovers(upload_dir) -> list:
    return list(upload_dir.iterdir()) if upload_dir.exists() else []


def upload(portal, data=GOOD, kind="customers", name="台帳.csv"):
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return portal.post("/staff/imports/upload", {"file": file, "kind": kind})


@pytest.mark.parametrize("role", ["manager", "clerk"])
def test_a_manager_or_clerk_uploads_a_file_and_reads_its_counts(console_as, role, upload_dir):
    staff = console_as(role)

    response = upload(staff)

    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/imports/{run.pk}"
    page = text_of(staff.get(response.url))
    assert "完了" in page and "追加 2件" in page and "取り込みました。" in page
    assert (run.source, run.started_by, run.filename) == ("upload", staff.staff, "台帳.csv")
    assert sorted(Customer.objects.values_list("number", flat=True)) == ["10010001", "10010002"]
    assert leftovers(upload_dir) == []


def test_the_run_says_how_many_of_its_new_bill_emails_were_delivered(console, tenant):
    upload(console)
    run = ImportRun.objects.get()
    assert "新着メール" not in text_of(console.get(f"/staff/imports/{run.pk}"))
    ImportRun.objects.filter(pk=run.pk).update(notified_at=timezone.now())
    for state in ["sent", "sent", "sent", "queued", "sending", "failed"]:
        store.add(
            kind="town", to="a@example.jp", tenant=tenant, batch=f"new_bill:{run.pk}", state=state
        )
    page = text_of(console.get(f"/staff/imports/{run.pk}"))
    assert "新着メール 送信済み 3件 送信待ち 2件 送信できず 1件" in page


def test_the_upload_form_offers_the_three_kinds_and_its_button(console):
    page = text_of(console.get("/staff/imports/upload"))
    assert "ファイル" in page and "種類" in page
    assert "使用者台帳 検針・料金 収納" in page and "取り込む" in page


def test_a_viewer_sees_the_history_but_cannot_upload(console_as, tenant, upload_dir):
    do_import_file(tenant, "customers", _file(upload_dir.parent, GOOD))
    viewer = console_as("viewer")

    history = viewer.get("/staff/imports")
    assert history.status_code == 200 and "コマンド" in text_of(history)
    assert "ファイルを取り込む" not in text_of(history)
    assert viewer.get("/staff/imports/upload").status_code == 403
    refused = upload(viewer, csv_bytes(CUSTOMERS, customer_row("1001-0009")))
    assert refused.status_code == 403 and "権限" in text_of(refused)
    assert ImportRun.objects.count() == 1 and leftovers(upload_dir) == []
    assert not AuditEvent.objects.filter(action="staff_uploaded_import").exists()


def test_the_report_lists_each_problems_line_column_value_and_reason_and_nothing_changed(
    console, tenant, upload_dir
):
    make_customer(tenant, number="10010001", kana="スイドウ ハナコ")

    page = console.get(upload(console, BAD).url)

    text = text_of(page)
    assert "取り込みませんでした。何も変更していません。" in text
    assert "行 項目 値 理由" in text
    assert "3 使用者名カナ Yamada" in text and "カナ" in text.split("Yamada", 1)[1]
    assert Customer.objects.get().name_kana == "スイドウ ハナコ"
    assert ImportRun.objects.get().status == "rejected"
    assert leftovers(upload_dir) == []


def _file(directory, data: bytes):
    path = directory / "by-command.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "kind", "error"),
    [
        (None, "customers", "取り込むファイルを選んでください。"),
        (GOOD, "", "ファイルの種類を選んでください。"),
        (GOOD, "meters", "ファイルの種類を、使用者台帳・検針・料金・収納から選んでください。"),
        (b"", "customers", "選んだファイルは空です。"),
        (
            b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100,
            "customers",
            "テキスト（CSV）ファイルではありません。請求システムから書き出した CSV ファイルを"
            "選んでください。",
        ),
    ],
)
def test_bad_input_says_what_to_do_and_stores_nothing(console, upload_dir, data, kind, error):
    fields = {"kind": kind}
    if data is not None:
        fields["file"] = SimpleUploadedFile("x.csv", data, content_type="text/csv")

    page = console.post("/staff/imports/upload", fields)

    assert page.status_code == 200 and error in text_of(page)
    assert not ImportRun.objects.exists() and leftovers(upload_dir) == []
    assert not AuditEvent.objects.filter(action="staff_uploaded_import").exists()


def test_a_file_over_the_limit_is_refused_before_it_is_stored(console, settings, upload_dir):
    settings.IMPORT_MAX_BYTES = len(GOOD) - 1

    page = upload(console)

    assert page.status_code == 200
    assert "ファイルが大きすぎます（上限 0 MB）。" in text_of(page)
    assert "分けて書き出し" in text_of(page)
    assert not ImportRun.objects.exists() and leftovers(upload_dir) == []


def test_an_upload_while_another_import_of_the_town_runs_is_refused(console, tenant, upload_dir):
    started = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    with another_import(tenant, started, kind="bills") as running:
        page = upload(console)

    assert page.status_code == 200
    assert (
        f"別の取り込み（#{running.pk}、2026-11-25 10:00 開始）が実行中です。"
        "終わってから、もう一度実行してください。"
    ) in text_of(page)
    assert ImportRun.objects.count() == 1 and not Customer.objects.exists()
    assert leftovers(upload_dir) == []


def test_another_towns_running_import_does_not_stop_an_upload(console, other_tenant):
    started = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    ImportRun.objects.create(
        tenant=other_tenant, kind="bills", source="command", started_at=started, status="running"
    )
    assert upload(console).status_code == 302


def test_the_same_file_sent_twice_quickly_is_imported_once(console, upload_dir):
    first = upload(console)
    second = upload(console)

    assert second.url == first.url
    run = ImportRun.objects.get()
    assert f"取り込み #{run.pk} で受け付けています" in text_of(console.get(second.url))
    assert (run.status, run.added) == ("succeeded", 2)
    assert AuditEvent.objects.filter(action="staff_uploaded_import").count() == 1
    assert leftovers(upload_dir) == []


def test_the_same_file_sent_again_later_is_not_read_and_its_page_names_the_first_run(
    console, upload_dir
):
    with time_machine.travel("2026-11-25 10:00 +0900", tick=False):
        first = upload(console)
    with time_machine.travel("2026-11-25 10:11 +0900", tick=False):
        second = upload(console)

    assert second.url != first.url
    earlier, later = ImportRun.objects.order_by("pk")
    assert (later.status, later.added, later.unchanged, later.same_as) == (
        "succeeded",
        0,
        2,
        earlier,
    )
    page = text_of(console.get(second.url))
    assert f"前回の取り込み（ #{earlier.pk} ）と同じ内容のファイルです" in page
    assert AuditEvent.objects.filter(action="staff_uploaded_import").count() == 2
    assert leftovers(upload_dir) == []


def test_a_second_click_while_the_first_is_queued_gets_the_first_run(
    console, tenant, django_capture_on_commit_callbacks, upload_dir
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first, _ = _queue(tenant, console.staff)
    second = upload(console)

    assert second.url == f"/staff/imports/{first.pk}"
    for callback in queued:
        callback()
    assert ImportRun.objects.get().status == "succeeded"
    assert Customer.objects.count() == 2 and leftovers(upload_dir) == []


def _queue(tenant, staff, data=GOOD):
    file = SimpleUploadedFile("台帳.csv", data, content_type="text/csv")
    return do_upload_import(tenant, "customers", file, actor=staff, source="192.0.2.1")


def test_the_page_shows_a_queued_import_then_its_result(
    console, tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run, _ = _queue(tenant, console.staff)

    waiting = console.get(f"/staff/imports/{run.pk}")
    html = waiting.content.decode()
    assert '<progress id="import-progress" max="100" value="0"' in html
    assert 'aria-live="polite"' in html and "順番を待っています" in text_of(waiting)
    assert f'href="/staff/imports/{run.pk}"' in html and "画面を更新して" in html
    assert "js/import_progress.js" in html
    status = console.get(f"/staff/imports/{run.pk}/status").json()
    assert (status["status"], status["finished"], status["percent"]) == ("queued", False, 0)

    for callback in queued:
        callback()

    done = console.get(f"/staff/imports/{run.pk}")
    assert "<progress" not in done.content.decode() and "追加 2件" in text_of(done)
    status = console.get(f"/staff/imports/{run.pk}/status").json()
    assert (status["status"], status["finished"], status["percent"]) == ("succeeded", True, 100)


def test_a_running_import_shows_how_much_of_its_file_is_read(console, tenant):
    run = ImportRun.objects.create(
        tenant=tenant,
        kind="bills",
        source="upload",
        started_at=dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC),
        status="running",
        size=4 * 1024 * 1024,
        bytes_read=1024 * 1024,
    )

    page = console.get(f"/staff/imports/{run.pk}")

    assert 'max="100" value="25"' in page.content.decode()
    assert "ファイルを読んでいます（1.0 MB / 4.0 MB）。 25%" in text_of(page)
    status = console.get(f"/staff/imports/{run.pk}/status").json()
    assert status | {"text": ""} == {
        "status": "running",
        "status_label": "実行中",
        "bytes_read": 1024 * 1024,
        "size": 4 * 1024 * 1024,
        "percent": 25,
        "text": "",
        "finished": False,
    }


@pytest.mark.django_db(transaction=True)
def test_the_import_records_how_far_it_has_read_where_the_page_sees_it(
    tenant, console, monkeypatch, django_capture_on_commit_callbacks
):
    """Committed as it goes, on a connection of its own: the import's own connection is
    busy reading (on PostgreSQL, one COPY for the whole file)."""
    rows = [customer_row(f"2002-{i:04d}") for i in range(40_000)]
    data = csv_bytes(CUSTOMERS, *rows)
    assert len(data) > 2 * 1024 * 1024
    seen = []
    record = actions.runs.ProgressRecorder.__call__
    page = connections.create_connection("default")  # as the polling page, another connection

    def watch(recorder, done, total):
        record(recorder, done, total)
        with page.cursor() as cursor:
            cursor.execute("SELECT status, bytes_read FROM exchange_importrun")
            seen.append(cursor.fetchone())

    monkeypatch.setattr(actions.runs.ProgressRecorder, "__call__", watch)

    run, _ = _queue(tenant, console.staff, data)
    page.close()

    run.refresh_from_db()
    assert run.status == "succeeded" and run.bytes_read == len(data)
    assert len(seen) >= 3 and [read for _, read in seen] == sorted(read for _, read in seen)
    assert seen[0][0] == "running" and 0 < seen[0][1] < len(data)


def test_the_history_shows_who_started_each_import_newest_first(console_as, tenant, tmp_path):
    do_import_file(tenant, "customers", _file(tmp_path, GOOD))
    clerk = console_as("clerk")
    upload(clerk, csv_bytes(CUSTOMERS, customer_row("1001-0003")), name="追加分.csv")

    page = text_of(clerk.get("/staff/imports"))

    newest = page.index("追加分.csv 職員 clerk tanto@town.oumu.example.jp")
    older = page.index("by-command.csv コマンド")
    assert newest < older
    assert "使用者台帳" in page and "完了" in page


def test_the_history_is_paginated(console, tenant):
    started = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    for day in range(35):
        ImportRun.objects.create(
            tenant=tenant,
            kind="payments",
            source="command",
            status="succeeded",
            filename=f"day-{day:02d}.csv",
            started_at=started + dt.timedelta(days=day),
        )

    first = text_of(console.get("/staff/imports"))
    second = text_of(console.get("/staff/imports", {"page": 2}))

    assert "day-34.csv" in first and "day-05.csv" in first and "day-04.csv" not in first
    assert "day-04.csv" in second and "day-00.csv" in second and "1 / 2ページ" in first


def test_another_towns_import_does_not_exist_for_staff(console, other_console, other_tenant):
    other_upload = upload(other_console, BAD)
    run = ImportRun.objects.get(tenant=other_tenant)
    assert other_upload.url == f"/staff/imports/{run.pk}"

    assert console.get(f"/staff/imports/{run.pk}").status_code == 404
    assert console.get(f"/staff/imports/{run.pk}/status").status_code == 404
    assert "Yamada" not in text_of(console.get("/staff/imports"))
    assert "台帳.csv" not in text_of(console.get("/staff/imports"))
    assert not AuditEvent.objects.filter(action="staff_viewed_import", actor=console.staff)


def test_opening_a_report_is_a_look_on_record(console):
    run_url = upload(console, BAD).url
    run = ImportRun.objects.get()

    console.get(run_url)
    console.get(f"{run_url}/status")

    look = AuditEvent.objects.get(action="staff_viewed_import")
    assert (look.actor, look.tenant, look.data) == (console.staff, run.tenant, {"run": run.pk})
    assert look.source == "127.0.0.1" and look.member is None


def test_an_upload_is_on_record_with_its_run_and_kind(console):
    upload(console, kind="customers")
    run = ImportRun.objects.get()

    started = AuditEvent.objects.get(action="staff_uploaded_import")

    assert (started.actor, started.source) == (console.staff, "127.0.0.1")
    assert started.data == {"run": run.pk, "kind": "customers"}


def test_an_upload_the_queue_cannot_take_ends_failed_and_its_file_is_removed(
    console, tenant, upload_dir, django_capture_on_commit_callbacks
):
    with broker("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        run, _ = _queue(tenant, console.staff)

    run.refresh_from_db()
    assert run.status == "failed" and run.report[0]["reason"] == actions.NOT_QUEUED
    assert leftovers(upload_dir) == [] and not Customer.objects.exists()
    assert "取り込みを始められませんでした" in text_of(console.get(f"/staff/imports/{run.pk}"))


def test_a_queued_upload_whose_file_is_gone_ends_failed(
    console, tenant, upload_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run, _ = _queue(tenant, console.staff)
    (stored,) = leftovers(upload_dir)
    stored.unlink()

    actions.do_import_upload(run.pk, stored.name)

    run.refresh_from_db()
    assert run.status == "failed" and run.report[0]["reason"] == actions.FILE_MISSING


def test_an_upload_queued_for_over_an_hour_is_failed_by_the_sweep_and_stops_blocking(
    console, tenant, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        lost, _ = _queue(tenant, console.staff)  # its task never reaches a worker
    refused = upload(console, csv_bytes(CUSTOMERS, customer_row("1001-0005")))
    assert "別の取り込み" in text_of(refused) and ImportRun.objects.count() == 1

    clock.shift(dt.timedelta(hours=1, minutes=1))
    assert actions.do_sweep_abandoned_runs(tenant, now=timezone.now()) == 1

    lost.refresh_from_db()
    assert lost.status == "failed" and "もう一度実行してください" in lost.report[0]["reason"]
    staff_sign_in(console, console.account)  # the session ended after 30 idle minutes
    again = upload(console, csv_bytes(CUSTOMERS, customer_row("1001-0005")))
    assert again.url == f"/staff/imports/{ImportRun.objects.latest('pk').pk}"
    assert ImportRun.objects.latest("pk").status == "succeeded"

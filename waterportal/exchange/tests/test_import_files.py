import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from waterportal.accounts.models import User
from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Customer
from waterportal.exchange.actions import do_import_file
from waterportal.exchange.models import ImportRun
from waterportal.exchange.parsing import CHUNK_SIZE
from waterportal.testing import CUSTOMERS, csv_bytes, customer_row, reasons


def test_a_cp932_file_is_read(tenant, importer):
    data = csv_bytes(CUSTOMERS, customer_row(kana="ｻｲﾄｳ ｷﾖｳｺ", name="齋藤 京子"), encoding="cp932")

    run = importer(tenant, "customers", data)

    assert (run.status, run.encoding) == ("succeeded", "CP932")
    customer = Customer.objects.get()
    assert (customer.name, customer.name_kana_key) == ("齋藤 京子", "サイトウキヨウコ")


def test_a_utf8_file_with_a_bom_is_read(tenant, importer):
    run = importer(tenant, "customers", b"\xef\xbb\xbf" + csv_bytes(CUSTOMERS, customer_row()))

    assert (run.status, run.encoding) == ("succeeded", "UTF-8 (BOM)")
    assert Customer.objects.get().number == "10010001"


def test_crlf_line_ends_and_quoted_fields_with_commas_are_read(tenant, importer):
    row = (
        '"1001-0001","ヤマダ タロウ","山田 太郎","おうむ町本町1-1, 山田ビル2F",20,2,口座振替,使用中'
    )

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, row, newline="\r\n"))

    assert run.status == "succeeded"
    assert Customer.objects.get().address == "おうむ町本町1-1, 山田ビル2F"


def test_a_file_in_neither_encoding_is_rejected(tenant, importer):
    data = csv_bytes(CUSTOMERS, customer_row()) + b"\xff\xfe\x80\n"

    run = importer(tenant, "customers", data)

    assert run.status == ImportRun.Status.REJECTED
    assert reasons(run) == [
        "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"
    ]
    assert not Customer.objects.exists()


def test_a_missing_required_column_rejects_the_file_naming_it(tenant, importer):
    run = importer(tenant, "customers", csv_bytes("使用者番号,使用者名", "1001-0001,山田 太郎"))

    assert run.status == ImportRun.Status.REJECTED
    assert run.report == [
        {
            "line": 1,
            "column": "使用者名カナ",
            "value": "",
            "reason": "必須の列「使用者名カナ」がありません。",
        }
    ]


def test_column_order_is_free_and_unknown_columns_are_ignored(tenant, importer):
    data = csv_bytes("備考,使用者名カナ,旧番号,使用者番号", "転居予定,ヤマダ タロウ,A-1,1001-0001")

    run = importer(tenant, "customers", data)

    assert run.status == "succeeded"
    assert Customer.objects.get().number == "10010001"


def test_blank_lines_are_skipped_and_lines_are_counted_as_in_the_file(tenant, importer):
    data = csv_bytes(
        CUSTOMERS, customer_row("1001-0001"), "", customer_row("1001-0002", kana="Yamada")
    )

    run = importer(tenant, "customers", data)

    assert [(p["line"], p["column"]) for p in run.report] == [(4, "使用者名カナ")]


def test_a_row_with_too_few_cells_is_rejected(tenant, importer):
    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, "1001-0001,ヤマダ タロウ"))

    assert run.report[0]["line"] == 2
    assert run.report[0]["reason"] == "列の数が見出し行（8列）と違います（2列）。"


def test_an_empty_file_is_rejected(tenant, importer):
    run = importer(tenant, "customers", b"")

    assert reasons(run) == ["ファイルが空です（見出し行がありません）。"]


def test_the_report_keeps_1000_problems_and_says_how_many_more(tenant, importer):
    rows = [customer_row(f"1001-{i:04d}", kana="Yamada") for i in range(1200)]

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, *rows))

    assert run.rejected == 1200
    assert len(run.report) == 1001
    assert run.report[999]["line"] == 1001
    assert run.report[-1]["reason"] == "ほかに 200件の問題があります（表示は最初の1,000件まで）。"


def test_an_uploaded_file_is_imported_and_described(tenant, importer):
    staff = User.objects.create_user("staff@example.jp", "x", is_staff=True)
    data = csv_bytes(CUSTOMERS, customer_row())
    upload = SimpleUploadedFile("台帳 2026-04.csv", data, content_type="text/csv")

    run = do_import_file(tenant, "customers", upload, started_by=staff, source="upload")

    assert (run.status, run.source, run.started_by) == ("succeeded", "upload", staff)
    assert run.filename == "台帳 2026-04.csv"
    assert run.size == len(data)
    assert run.sha256 == hashlib.sha256(data).hexdigest()
    assert run.finished_at is not None and run.finished_at >= run.started_at


def test_every_import_leaves_an_audit_row(tenant, importer):
    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    event = AuditEvent.objects.get(tenant=tenant, action="import")
    assert event.data == {
        "kind": "customers",
        "run_id": run.pk,
        "status": "succeeded",
        "added": 1,
        "changed": 0,
        "unchanged": 0,
        "rejected": 0,
    }


class _ReadSizes(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.sizes = []

    def read(self, size=-1):
        self.sizes.append(size)
        return super().read(size)


def test_the_file_is_read_in_chunks_never_whole(tenant):
    stream = _ReadSizes(csv_bytes(CUSTOMERS, *(customer_row(f"1001-{i:04d}") for i in range(50))))

    run = do_import_file(tenant, "customers", stream)

    assert run.added == 50
    assert stream.sizes and all(0 < size <= CHUNK_SIZE for size in stream.sizes)


def test_an_unexpected_error_marks_the_run_failed_and_changes_nothing(
    tenant, importer, monkeypatch
):
    def broken_merge(*args, **kwargs):
        Customer.objects.bulk_create(
            [Customer(tenant=tenant, number="1", name_kana="ア", name_kana_key="ア")]
        )
        raise RuntimeError("disk full")

    monkeypatch.setattr("waterportal.exchange.actions.merge", broken_merge)

    with pytest.raises(RuntimeError):
        importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row()))

    run = ImportRun.objects.get()
    assert (run.status, run.added) == ("failed", 0)
    assert not Customer.objects.exists()

"""Files uploaded by staff: capped, refused when not text, named only as metadata, and
imported once when the same file arrives twice from a double click."""

import datetime as dt
import io

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from waterportal.contracts.models import Customer
from waterportal.exchange.actions import do_import_file
from waterportal.exchange.models import ImportRun
from waterportal.testing import (
    CUSTOMERS,
    another_import,
    csv_bytes,
    customer_row,
    reasons,
)

DATA = csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002"))


def _upload(tenant, data=DATA, name="台帳.csv", **kwargs) -> ImportRun:
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return do_import_file(tenant, "customers", upload, source="upload", **kwargs)


class _Stream(io.BytesIO):
    """An upload that counts the bytes read from it."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_an_upload_larger_than_the_limit_is_refused_without_being_read(tenant, settings):
    settings.IMPORT_MAX_BYTES = len(DATA) - 1
    stream = _Stream(DATA)

    run = do_import_file(tenant, "customers", stream, filename="台帳.csv", source="upload")

    assert run.status == ImportRun.Status.REJECTED
    assert reasons(run) == ["ファイルが大きすぎます（上限 0 MB）。"]
    assert (run.size, run.sha256, stream.bytes_read) == (len(DATA), "", 0)
    assert not Customer.objects.exists()


def test_an_upload_at_the_limit_is_imported(tenant, settings):
    settings.IMPORT_MAX_BYTES = len(DATA)

    assert _upload(tenant).status == ImportRun.Status.SUCCEEDED


def test_the_limit_is_200_mb_by_default(settings):
    assert settings.IMPORT_MAX_BYTES == 200 * 1024 * 1024


def test_a_spreadsheet_is_refused_as_not_text_before_it_is_parsed(tenant, importer):
    xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 200

    run = importer(tenant, "customers", xlsx)

    assert run.status == ImportRun.Status.REJECTED
    assert reasons(run) == ["テキスト（CSV）ファイルではありません。"]
    assert run.sha256 == ""


def test_a_nul_byte_far_into_the_file_is_left_to_the_row_checks(tenant, importer):
    """Only the first 64 KB are sniffed; later damage is reported by line as usual."""
    rows = [customer_row(f"1001-{i:04d}") for i in range(1200)]
    data = csv_bytes(CUSTOMERS, *rows) + b"1001-9999,\x00,x,x,20,2,,\n"
    assert len(data) > 64 * 1024

    run = importer(tenant, "customers", data)

    assert run.status == ImportRun.Status.REJECTED
    assert reasons(run) == ["使用できない文字（NUL）が含まれています。"]
    assert run.report[0]["line"] == 1202


def test_a_utf16_file_is_refused_for_its_encoding(tenant, importer):
    data = "\ufeff".encode("utf-16-le") + CUSTOMERS.encode("utf-16-le")

    run = importer(tenant, "customers", data)

    assert reasons(run) == [
        "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"
    ]


def test_the_file_name_is_kept_as_metadata_and_never_opened(tenant, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_bytes(csv_bytes(CUSTOMERS, customer_row("9999-9999")))

    run = do_import_file(
        tenant, "customers", io.BytesIO(DATA), filename="../../etc/passwd", source="upload"
    )
    run_from_here = do_import_file(
        tenant, "customers", io.BytesIO(DATA), filename="etc/passwd", source="command"
    )

    assert (run.status, run.filename) == (ImportRun.Status.SUCCEEDED, "../../etc/passwd")
    assert run_from_here.filename == "etc/passwd"
    assert sorted(Customer.objects.values_list("number", flat=True)) == ["10010001", "10010002"]


def test_control_characters_are_taken_out_of_the_file_name(tenant):
    run = do_import_file(tenant, "customers", io.BytesIO(DATA), filename="台帳\r\n2026.csv")

    assert run.filename == "台帳2026.csv"


def test_a_double_clicked_upload_is_imported_once(tenant):
    first = _upload(tenant)
    second = _upload(tenant)

    assert second.pk == first.pk
    assert (second.status, second.added) == (ImportRun.Status.SUCCEEDED, 2)
    assert ImportRun.objects.count() == 1


def test_the_same_upload_ten_minutes_later_is_a_run_of_its_own_that_names_the_first(tenant):
    with time_machine.travel("2026-11-25 10:00 +0900", tick=False):
        first = _upload(tenant)
    with time_machine.travel("2026-11-25 10:10:01 +0900", tick=False):
        again = _upload(tenant)

    assert again.pk != first.pk
    assert (again.status, again.added, again.unchanged) == ("succeeded", 0, 2)
    assert again.same_as == first


def test_an_upload_of_another_kind_or_content_is_not_taken_for_a_double_click(tenant):
    first = _upload(tenant)
    other = _upload(tenant, csv_bytes(CUSTOMERS, customer_row("1001-0003")))

    assert other.pk != first.pk
    assert other.added == 1


def test_a_rejected_upload_can_be_sent_again_at_once(tenant):
    bad = csv_bytes(CUSTOMERS, customer_row(kana="Yamada"))
    first = _upload(tenant, bad)
    second = _upload(tenant, bad)

    assert second.pk != first.pk
    assert second.status == ImportRun.Status.REJECTED


def test_an_upload_while_the_same_file_is_importing_is_refused(tenant):
    import hashlib

    sha256 = hashlib.sha256(DATA).hexdigest()
    started = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    with another_import(tenant, started, kind="customers", sha256=sha256, source="upload") as first:
        run = _upload(tenant)

    assert run.status == ImportRun.Status.REJECTED
    assert reasons(run) == [
        f"同じファイルの取り込み（#{first.pk}、2026-11-25 10:00 開始）が実行中です。"
        "二重に送信されたため、こちらは取り込みませんでした。"
    ]
    assert not Customer.objects.exists()


def test_the_command_imports_the_same_file_again_on_purpose(tenant, importer):
    first = importer(tenant, "customers", DATA)
    again = importer(tenant, "customers", DATA, again=True)

    assert again.pk != first.pk
    assert (again.status, again.unchanged, again.same_as) == ("succeeded", 2, None)

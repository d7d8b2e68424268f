import io

import pytest
from django.core.management import CommandError, call_command

from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Customer
from waterportal.exchange.models import ImportRun
from waterportal.testing import CUSTOMERS, csv_bytes, customer_row


def _file(tmp_path, *rows, name="customers.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes(CUSTOMERS, *rows))
    return str(path)


def _run(*args):
    out = io.StringIO()
    try:
        call_command("import_data", *args, stdout=out)
    except SystemExit as exc:
        return out.getvalue().splitlines(), exc.code
    return out.getvalue().splitlines(), 0


def test_the_command_ends_with_a_one_line_summary(tenant, tmp_path):
    path = _file(tmp_path, customer_row("1001-0001"), customer_row("1001-0002"))

    lines, code = _run("customers", path, "--tenant", "oumu")

    assert code == 0
    assert lines == [
        "取り込みました customers.csv: 追加 2件 / 変更 0件 / 変更なし 0件 / エラー 0件"
    ]
    assert Customer.objects.filter(tenant=tenant).count() == 2


def test_the_same_file_again_is_not_read_and_its_summary_names_the_run_that_read_it(
    tenant, tmp_path
):
    path = _file(tmp_path, customer_row("1001-0001"))
    _run("customers", path, "--tenant", "oumu")
    first = ImportRun.objects.get()

    lines, code = _run("customers", path, "--tenant", "oumu")

    assert code == 0
    assert lines[-1] == (
        "取り込みました customers.csv: 追加 0件 / 変更 0件 / 変更なし 1件 / エラー 0件"
        f"（取り込み #{first.pk} と同じファイルのため、読み直していません）"
    )


def test_again_reads_the_same_file_and_says_nothing_changed(tenant, tmp_path):
    path = _file(tmp_path, customer_row("1001-0001"))
    _run("customers", path, "--tenant", "oumu")

    lines, code = _run("customers", path, "--tenant", "oumu", "--again")

    assert code == 0
    assert lines[-1] == (
        "取り込みました customers.csv: 追加 0件 / 変更 0件 / 変更なし 1件 / エラー 0件（変更はありません）"
    )
    again = AuditEvent.objects.filter(action="command_run").latest("pk")
    assert again.data["again"] is True


def test_a_rejected_file_prints_its_problems_and_exits_non_zero(tenant, tmp_path):
    path = _file(tmp_path, customer_row("1001-0001"), customer_row("1001-0002", kana="Yamada"))

    lines, code = _run("customers", path, "--tenant", "oumu")

    assert code == 1
    assert lines == [
        "3行目 使用者名カナ「Yamada」: カナで入力してください（漢字・英字・数字は使えません）。",
        "取り込みませんでした（何も変更していません） customers.csv: "
        "追加 0件 / 変更 0件 / 変更なし 0件 / エラー 1件",
    ]
    assert not Customer.objects.exists()


def test_only_the_first_50_problems_are_printed(tenant, tmp_path):
    rows = [customer_row(f"1001-{i:04d}", kana="Yamada") for i in range(80)]

    lines, code = _run("customers", _file(tmp_path, *rows), "--tenant", "oumu")

    assert code == 1
    assert len(lines) == 52
    assert lines[49].startswith("51行目 ")
    assert lines[50].startswith("…ほか 30件")
    assert lines[51].endswith("エラー 80件")


def test_an_unknown_tenant_is_refused(tenant, tmp_path):
    with pytest.raises(CommandError, match="自治体「nowhere」が見つかりません"):
        _run("customers", _file(tmp_path, customer_row()), "--tenant", "nowhere")


def test_a_missing_file_is_refused(tenant, tmp_path):
    with pytest.raises(CommandError, match="ファイルを開けません"):
        _run("customers", str(tmp_path / "none.csv"), "--tenant", "oumu")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_is_shown_on_a_terminal_only(tenant, tmp_path, capsys):
    path = _file(tmp_path, customer_row("1001-0001"))
    call_command("import_data", "customers", path, "--tenant", "oumu", stdout=io.StringIO())
    assert "読み込み" not in capsys.readouterr().err

    path = _file(tmp_path, customer_row("1001-0002"), name="more.csv")
    call_command("import_data", "customers", path, "--tenant", "oumu", stdout=_Terminal())
    assert "読み込み" in capsys.readouterr().err

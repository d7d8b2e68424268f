import time_machine

from waterportal.contracts.models import Customer
from waterportal.exchange.models import ImportRun
from waterportal.lib.kana import kana_key
from waterportal.testing import CUSTOMERS, csv_bytes, customer_row, reasons


def test_a_new_ledger_is_added_and_counted(tenant, importer):
    data = csv_bytes(
        CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002", "スズキ ハナコ")
    )

    run = importer(tenant, "customers", data)

    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.added, run.changed, run.unchanged, run.rejected) == (2, 0, 0, 0)
    customer = Customer.objects.get(tenant=tenant, number="10010001")
    assert customer.name_kana == "ヤマダ タロウ"
    assert customer.name == "山田 太郎"
    assert customer.address == "おうむ町本町1-1"
    assert customer.diameter_mm == 20
    assert customer.reading_cycle == 2
    assert customer.payment_method == "口座振替"
    assert customer.status == "使用中"


def test_the_kana_key_used_by_registration_is_stored(tenant, importer):
    importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row(kana="ｷﾖｳｺ")))

    customer = Customer.objects.get(tenant=tenant)
    assert customer.name_kana_key == kana_key("きょうこ") == "キヨウコ"


def test_hyphenated_and_full_width_numbers_are_stored_as_digits(tenant, importer):
    data = csv_bytes(CUSTOMERS, customer_row("１００１－０００１"), customer_row("1001-0002"))

    importer(tenant, "customers", data)

    assert sorted(Customer.objects.values_list("number", flat=True)) == ["10010001", "10010002"]


def test_empty_optional_cells_take_the_defaults(tenant, importer):
    row = customer_row(name="", address="", diameter="", cycle="", payment="", status="")

    importer(tenant, "customers", csv_bytes(CUSTOMERS, row))

    customer = Customer.objects.get(tenant=tenant)
    assert (
        customer.diameter_mm,
        customer.reading_cycle,
        customer.payment_method,
        customer.status,
    ) == (
        None,
        2,
        "",
        "使用中",
    )


def test_reading_the_same_file_again_changes_nothing(tenant, importer):
    data = csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002"))
    with time_machine.travel("2026-05-01 09:00 +0900", tick=False):
        importer(tenant, "customers", data)

    with time_machine.travel("2026-06-01 09:00 +0900", tick=False):
        run = importer(tenant, "customers", data, again=True)

    assert (run.added, run.changed, run.unchanged) == (0, 0, 2)
    assert "変更はありません" in run.summary
    assert {c.updated_at.month for c in Customer.objects.all()} == {5}


def test_a_later_file_with_a_corrected_row_counts_it_as_changed(tenant, importer):
    importer(
        tenant,
        "customers",
        csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002")),
    )

    corrected = customer_row("1001-0001", address="おうむ町本町2-5", status="休止")
    with time_machine.travel("2030-01-01 09:00 +0900", tick=False):
        run = importer(
            tenant, "customers", csv_bytes(CUSTOMERS, corrected, customer_row("1001-0002"))
        )

    assert (run.added, run.changed, run.unchanged) == (0, 1, 1)
    customer = Customer.objects.get(number="10010001")
    assert (customer.address, customer.status) == ("おうむ町本町2-5", "休止")
    assert customer.updated_at.year == 2030
    assert Customer.objects.get(number="10010002").updated_at.year < 2030


def test_a_customer_absent_from_a_later_file_is_kept(tenant, importer):
    importer(
        tenant,
        "customers",
        csv_bytes(CUSTOMERS, customer_row("1001-0001"), customer_row("1001-0002")),
    )

    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row("1001-0002")))

    assert run.status == ImportRun.Status.SUCCEEDED
    assert Customer.objects.filter(tenant=tenant).count() == 2


def test_a_file_with_one_bad_row_changes_nothing(tenant, importer):
    importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row("1001-0001")))

    data = csv_bytes(
        CUSTOMERS,
        customer_row("1001-0001", address="おうむ町新町3-3"),
        customer_row("1001-0002"),
        customer_row("1001-0003", kana="山田 花子"),
    )
    run = importer(tenant, "customers", data)

    assert run.status == ImportRun.Status.REJECTED
    assert (run.added, run.changed, run.unchanged, run.rejected) == (0, 0, 0, 1)
    assert run.report == [
        {
            "line": 4,
            "column": "使用者名カナ",
            "value": "山田 花子",
            "reason": "カナで入力してください（漢字・英字・数字は使えません）。",
        }
    ]
    assert list(Customer.objects.values_list("number", "address")) == [
        ("10010001", "おうむ町本町1-1")
    ]
    assert "何も変更していません" in run.summary


def test_values_outside_the_allowed_ones_are_rejected(tenant, importer):
    data = csv_bytes(
        CUSTOMERS, customer_row(cycle="3", payment="現金", status="廃止", diameter="0")
    )

    run = importer(tenant, "customers", data)

    assert run.status == ImportRun.Status.REJECTED
    assert {p["column"]: p["value"] for p in run.report} == {
        "検針周期": "3",
        "支払方法": "現金",
        "状態": "廃止",
        "口径": "0",
    }
    assert "使用中・休止・中止 のいずれかにしてください。" in reasons(run)
    assert not Customer.objects.exists()


def test_a_number_that_is_not_digits_is_rejected(tenant, importer):
    run = importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row("A-1001")))

    assert run.report[0]["column"] == "使用者番号"
    assert run.report[0]["value"] == "A-1001"


def test_the_same_number_twice_in_one_file_is_rejected(tenant, importer):
    data = csv_bytes(
        CUSTOMERS, customer_row("1001-0001"), customer_row("10010001", kana="ヤマダ ハナコ")
    )

    run = importer(tenant, "customers", data)

    assert run.status == ImportRun.Status.REJECTED
    assert run.report == [
        {
            "line": 3,
            "column": "使用者番号",
            "value": "10010001",
            "reason": "2行目と同じ使用者番号です（1つのファイルに1行だけにしてください）。",
        }
    ]
    assert not Customer.objects.exists()


def test_each_tenant_keeps_its_own_ledger(tenant, other_tenant, importer):
    importer(tenant, "customers", csv_bytes(CUSTOMERS, customer_row("1001-0001")))

    run = importer(
        other_tenant, "customers", csv_bytes(CUSTOMERS, customer_row("1001-0001", "サトウ ジロウ"))
    )

    assert run.added == 1
    assert Customer.objects.get(tenant=tenant).name_kana == "ヤマダ タロウ"
    assert Customer.objects.get(tenant=other_tenant).name_kana == "サトウ ジロウ"

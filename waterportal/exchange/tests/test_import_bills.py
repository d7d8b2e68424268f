import datetime as dt

from waterportal.billing.models import Bill
from waterportal.exchange.models import ImportRun
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    bill_row,
    csv_bytes,
    customer_row,
    reasons,
)


def test_bills_are_imported_for_customers_in_the_ledger(tenant, importer, ledger):
    data = csv_bytes(BILLS, bill_row("1001-0001", "2026-04"), bill_row("1001-0002", "2026-04"))

    run = importer(tenant, "bills", data)

    assert (run.status, run.added, run.changed, run.unchanged) == ("succeeded", 2, 0, 0)
    bill = Bill.objects.get(customer__number="10010001")
    assert bill.billing_month == dt.date(2026, 4, 1)
    assert bill.reading_date == dt.date(2026, 4, 10)
    assert (bill.previous_reading, bill.current_reading, bill.usage_m3, bill.days) == (
        100,
        120,
        20,
        61,
    )
    assert (bill.water_charge, bill.sewer_charge, bill.tax, bill.amount) == (3300, 2200, 500, 5500)
    assert bill.due_date == dt.date(2026, 4, 30)
    assert bill.tenant == tenant


def test_months_dates_and_amounts_are_read_in_every_allowed_form(tenant, importer, ledger):
    header = BILLS + ",メーター交換,検針状況,基本料金,従量料金"
    rows = [
        '10010001,2026/04,2026/4/10,100,120,20,61,"3,300","2,200",500,"5,500",2026/04/30,,認定,"1,100","2,200"',
        "1001-0001,202606,２０２６－０６－１０,１２０,１３０,１０,61,3300,2200,500,5500,2026-06-30,0,,,",
        "1001-0001,2026-08,2026-08-10,130,140,10,61,3300,2200,500,5500,2026-08-31,1,,,",
    ]

    run = importer(tenant, "bills", csv_bytes(header, *rows))

    assert run.status == ImportRun.Status.SUCCEEDED, run.report
    april, june, august = Bill.objects.order_by("billing_month")
    assert april.billing_month == dt.date(2026, 4, 1)
    assert (april.water_charge, april.amount, april.basic_charge, april.volume_charge) == (
        3300,
        5500,
        1100,
        2200,
    )
    assert april.reading_status == "認定"
    assert june.billing_month == dt.date(2026, 6, 1)
    assert (june.reading_date, june.previous_reading, june.current_reading) == (
        dt.date(2026, 6, 10),
        120,
        130,
    )
    assert (june.meter_replaced, august.meter_replaced) == (False, True)


def test_usage_must_equal_the_reading_difference_unless_the_meter_was_replaced(
    tenant, importer, ledger
):
    header = BILLS + ",メーター交換"
    mismatched = bill_row("1001-0001", previous=100, current=120, usage=25) + ",0"
    replaced = bill_row("1001-0002", previous=9990, current=5, usage=15) + ",1"

    run = importer(tenant, "bills", csv_bytes(header, mismatched, replaced))

    assert run.status == ImportRun.Status.REJECTED
    assert [(p["line"], p["column"], p["value"]) for p in run.report] == [(2, "使用水量", "25")]
    assert "今回指針 − 前回指針（20）と一致しません" in run.report[0]["reason"]
    assert not Bill.objects.exists()


def test_the_amount_must_equal_water_plus_sewer(tenant, importer, ledger):
    run = importer(tenant, "bills", csv_bytes(BILLS, bill_row(water=3300, sewer=2200, amount=5600)))

    assert [(p["column"], p["value"]) for p in run.report] == [("請求金額", "5600")]
    assert reasons(run) == ["請求金額が 水道料金 + 下水道使用料（5500）と一致しません。"]


def test_negative_amounts_and_usage_are_rejected(tenant, importer, ledger):
    row = bill_row(previous=120, current=100, usage=-20, water=-3300, sewer=0, amount=-3300)

    run = importer(tenant, "bills", csv_bytes(BILLS, row))

    columns = {p["column"] for p in run.report if p["reason"] == "負の値は使えません。"}
    assert columns == {"使用水量", "水道料金", "請求金額", "消費税額"}


def test_numbers_out_of_range_are_rejected_however_many_digits_they_have(tenant, importer, ledger):
    huge = "9" * 5000  # more than Python converts from a string
    row = bill_row(days="2147483648", tax=huge)
    zeros = bill_row("1001-0002", days="0" * 5000 + "61", tax="-" + huge)

    run = importer(tenant, "bills", csv_bytes(BILLS, row, zeros))

    assert [(p["line"], p["column"], p["reason"]) for p in run.report] == [
        (2, "使用日数", "値が大きすぎます。"),
        (2, "消費税額", "値が大きすぎます。"),
        (3, "消費税額", "負の値は使えません。"),
    ]


def test_bad_dates_months_and_numbers_are_rejected(tenant, importer, ledger):
    row = bill_row(month="2026-13", reading_date="2026-02-30", due="令和8年4月30日", days="六十一")

    run = importer(tenant, "bills", csv_bytes(BILLS, row))

    assert {(p["column"], p["value"]) for p in run.report} == {
        ("調定年月", "2026-13"),
        ("検針日", "2026-02-30"),
        ("納期限", "令和8年4月30日"),
        ("使用日数", "六十一"),
    }
    assert all(p["line"] == 2 for p in run.report)


def test_an_empty_required_cell_is_rejected(tenant, importer, ledger):
    run = importer(tenant, "bills", csv_bytes(BILLS, bill_row(due="")))

    assert run.report[0]["column"] == "納期限"
    assert run.report[0]["reason"] == "値がありません（必須の項目です）。"


def test_a_number_unknown_to_this_tenant_is_rejected_even_if_another_tenant_has_it(
    tenant, other_tenant, importer, ledger
):
    importer(other_tenant, "customers", csv_bytes(CUSTOMERS, customer_row("2002-0002")))

    run = importer(tenant, "bills", csv_bytes(BILLS, bill_row("1001-0001"), bill_row("2002-0002")))

    assert run.status == ImportRun.Status.REJECTED
    assert [(p["line"], p["column"], p["value"]) for p in run.report] == [
        (3, "使用者番号", "2002-0002")
    ]
    assert "使用者台帳にない使用者番号です" in run.report[0]["reason"]
    assert not Bill.objects.exists()


def test_the_same_customer_and_month_twice_in_one_file_is_rejected(tenant, importer, ledger):
    data = csv_bytes(BILLS, bill_row("1001-0001", "2026-04"), bill_row("10010001", "202604"))

    run = importer(tenant, "bills", data)

    assert [(p["line"], p["column"], p["value"]) for p in run.report] == [
        (3, "使用者番号・調定年月", "10010001・202604")
    ]


def test_reimporting_bills_changes_nothing_and_a_correction_counts_as_changed(
    tenant, importer, ledger
):
    first = csv_bytes(BILLS, bill_row("1001-0001"), bill_row("1001-0002"))
    importer(tenant, "bills", first)

    again = importer(tenant, "bills", first, again=True)
    corrected = importer(
        tenant, "bills", csv_bytes(BILLS, bill_row("1001-0001", current=118), bill_row("1001-0002"))
    )

    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)
    assert (corrected.added, corrected.changed, corrected.unchanged) == (0, 1, 1)
    assert Bill.objects.get(customer__number="10010001").usage_m3 == 18
    assert Bill.objects.count() == 2


def test_a_file_of_new_unchanged_and_changed_bills_writes_only_the_new_and_changed(
    tenant, importer, ledger
):
    importer(tenant, "bills", csv_bytes(BILLS, bill_row("1001-0001"), bill_row("1001-0002")))
    before = Bill.objects.get(customer__number="10010002").updated_at

    run = importer(
        tenant,
        "bills",
        csv_bytes(
            BILLS,
            bill_row("1001-0001", current=118),
            bill_row("1001-0002"),
            bill_row("1001-0001", "2026-05", previous=120, current=130),
        ),
    )

    assert (run.status, run.added, run.changed, run.unchanged) == ("succeeded", 1, 1, 1)
    assert Bill.objects.count() == 3
    assert Bill.objects.get(customer__number="10010002").updated_at == before
    may = Bill.objects.get(customer__number="10010001", billing_month=dt.date(2026, 5, 1))
    assert (may.usage_m3, may.import_run_id) == (10, run.pk)


def test_problems_found_in_the_file_and_in_the_database_are_listed_by_line(
    tenant, importer, ledger
):
    data = csv_bytes(
        BILLS,
        bill_row("9009-0001", "2026-04"),
        bill_row("1001-0001", "2026-13"),
        bill_row("1001-0002", "2026-04"),
        bill_row("10010002", "2026/04"),
    )

    run = importer(tenant, "bills", data)

    assert [(p["line"], p["column"]) for p in run.report] == [
        (2, "使用者番号"),
        (3, "調定年月"),
        (5, "使用者番号・調定年月"),
    ]
    assert run.report[2]["reason"] == (
        "4行目と同じ使用者番号・調定年月です（1つのファイルに1行だけにしてください）。"
    )


def test_the_report_keeps_the_first_1000_problems_by_line_wherever_they_were_found(
    tenant, importer, ledger
):
    unknown = [bill_row(f"9009-{i:04d}") for i in range(1100)]
    data = csv_bytes(BILLS, *unknown, bill_row("1001-0001", due="2026-02-30"))

    run = importer(tenant, "bills", data)

    assert run.rejected == 1101
    assert [p["line"] for p in run.report[:1000]] == list(range(2, 1002))
    assert run.report[-1]["reason"] == "ほかに 101件の問題があります（表示は最初の1,000件まで）。"

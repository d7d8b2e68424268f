"""The member's home: one card per contract with the latest bill, in words and figures."""

import datetime as dt

import pytest

from waterportal.testing import (
    make_bill,
    make_customer,
    make_link,
    make_member,
    make_payment,
    text_of,
)


@pytest.fixture
def three_periods(customer):
    """Same period a year earlier, previous period, latest (bi-monthly readings).

    Hand-computed: latest vs previous −3 m³ and 4,180 − 4,600 = −420円; vs a year earlier
    −2 m³ and 4,180 − 4,400 = −220円; daily average 18 m³ / 60 days = 0.3 m³ (300 L).
    """
    make_bill(customer, "2025-10", usage=20, previous=60, water=2640, sewer=1760)
    make_bill(customer, "2026-08", usage=21, previous=80, water=2750, sewer=1850)
    return make_bill(customer, "2026-10", usage=18, previous=101, days=60, water=2530, sewer=1650)


def test_the_home_shows_the_latest_bill_as_on_the_meter_reading_slip(
    signed_in, link, three_periods
):
    page = signed_in.get("/")
    assert page.status_code == 200
    text = text_of(page)
    for expected in [
        "使用者番号 ••••0001",
        "給水場所: おうむ町本町1-2-3",
        "2026年10月分",
        "検針日 2026年10月10日",
        "前回指針 101",
        "今回指針 119",
        "使用水量 18 m³",
        "使用日数 60日",
        "1日あたり 0.3 m³（約300リットル）",
        "水道料金 2,530円",
        "下水道使用料 1,650円",
        "うち消費税額 380円",
        "請求金額 4,180円",
        "納期限 2026年11月30日（月）",
        "支払方法 口座振替",
    ]:
        assert expected in text, expected


def test_litres_a_day_are_written_with_thousands_separators_like_every_figure(
    signed_in, link, customer
):
    # A leak: 192 m³ over 62 days = 3.096… m³, 3,097 litres a day.
    make_bill(customer, "2026-10", usage=192, days=62, water=45144, sewer=24992)
    assert "1日あたり 3.1 m³（約3,097リットル）" in text_of(signed_in.get("/"))


def test_it_compares_with_the_previous_period_and_a_year_earlier(signed_in, link, three_periods):
    text = text_of(signed_in.get("/"))
    assert "前回（2026年8月分）より 使用水量 −3 m³ 請求金額 −420円" in text
    assert "前年同期（2025年10月分）より 使用水量 −2 m³ 請求金額 −220円" in text


def test_an_increase_is_signed_plus(signed_in, link, customer):
    make_bill(customer, "2026-08", usage=10, water=1000, sewer=500)
    make_bill(customer, "2026-10", usage=12, water=1100, sewer=600)
    assert "前回（2026年8月分）より 使用水量 +2 m³ 請求金額 +200円" in text_of(signed_in.get("/"))


def test_without_earlier_bills_or_days_there_is_no_comparison_nor_average(
    signed_in, link, customer
):
    make_bill(customer, "2026-10", usage=18, days=None)
    text = text_of(signed_in.get("/"))
    assert "18 m³" in text
    assert "比べてみると" not in text and "1日あたり" not in text


def test_a_direct_debit_before_its_date_says_when_it_will_be_taken(signed_in, link, three_periods):
    text = text_of(signed_in.get("/"))
    assert "口座振替予定" in text
    assert "11月30日に口座から引き落とす予定です" in text


def test_a_direct_debit_done_says_so(signed_in, link, three_periods):
    make_payment(three_periods, result="済", method="口座振替", paid_on=dt.date(2026, 11, 30))
    text = text_of(signed_in.get("/"))
    assert "口座振替済" in text and "2026年11月30日に口座から引き落としました" in text
    assert "引き落とす予定" not in text


def test_a_failed_direct_debit_says_what_to_do_and_whom_to_call(signed_in, link, three_periods):
    make_payment(three_periods, result="振替不能")
    text = text_of(signed_in.get("/"))
    assert "振替不能" in text
    assert "納付書" in text and "お支払いください" in text
    assert "建設水道課 水道係（電話 0120-000-111）" in text


def test_a_payment_slip_gives_the_due_date_then_paid(signed_in, member, tenant):
    slip = make_customer(tenant, number="10100002", payment_method="納付書")
    make_link(member, slip)
    bill = make_bill(slip, "2026-10")
    text = text_of(signed_in.get("/"))
    assert "納付書（納期限 2026年11月30日）" in text
    assert "納期限の2026年11月30日までにお支払いください" in text
    make_payment(bill, result="済", method="コンビニ", paid_on=dt.date(2026, 11, 12))
    text = text_of(signed_in.get("/"))
    assert "お支払い済み" in text and "2026年11月12日にお支払いいただきました（コンビニ）" in text


def test_an_unpaid_slip_after_the_due_date_asks_to_pay(signed_in, member, tenant, clock):
    slip = make_customer(tenant, number="10100002", payment_method="納付書")
    make_link(member, slip)
    make_bill(slip, "2026-09")
    text = text_of(signed_in.get("/"))
    assert "納期限の2026年10月31日を過ぎました" in text


def test_a_pending_link_says_from_which_date_and_shows_no_bill(signed_in, member, tenant):
    later = make_customer(tenant, number="10100003")
    make_link(member, later, active_from=dt.date(2026, 11, 5))
    make_bill(later, "2026-10", water=9999)
    text = text_of(signed_in.get("/"))
    assert (
        "準備中" in text
        and "2026年11月5日（木）" in text
        and "から確認できるようになります" in text
    )
    assert "9,999円" not in text


def test_an_ended_contract_keeps_its_history_marked_as_ended(signed_in, member, tenant):
    ended = make_customer(tenant, number="10100004", status="中止")
    make_link(member, ended)
    make_bill(ended, "2026-06", water=3000, sewer=1000)
    text = text_of(signed_in.get("/"))
    assert "契約終了" in text and "中止" in text
    assert "4,000円" in text


def test_one_card_per_contract_and_never_another_members(signed_in, member, tenant, link, customer):
    second = make_customer(tenant, number="20200002", address="おうむ町栄町2-1")
    make_link(member, second)
    stranger = make_member(tenant, email="other@example.jp")
    theirs = make_customer(tenant, number="30300003", address="おうむ町港町9-9")
    make_link(stranger, theirs)
    revoked = make_customer(tenant, number="40400004", address="おうむ町東山4-4")
    make_link(member, revoked, revoked=True)
    text = text_of(signed_in.get("/"))
    assert text.count("使用者番号 ") == 2
    assert "••••0001" in text and "••••0002" in text
    assert "港町9-9" not in text and "東山4-4" not in text


def test_a_contract_without_bills_says_when_they_will_appear(signed_in, link):
    assert "まだ表示できる検針結果がありません" in text_of(signed_in.get("/"))


def test_without_contracts_the_home_offers_to_add_one(signed_in):
    page = signed_in.get("/").text
    assert "登録されているご契約はありません" in page
    assert 'href="/account/contracts/add"' in page and "使用者番号を追加する" in page


def test_the_notices_section_is_there(signed_in, link):
    assert 'id="notices"' in signed_in.get("/").text


def test_the_home_links_to_the_detail_and_the_history(signed_in, link, three_periods):
    page = signed_in.get("/").text
    assert f'href="/contracts/{link.pk}/bills/2026-10"' in page
    assert f'href="/contracts/{link.pk}/history"' in page


def test_figures_computed_from_imported_files(signed_in, member, tenant, tmp_path):
    """The billing system's files, imported as in production, give the same figures."""
    from waterportal.testing import (
        BILLS,
        Importer,
        bill_row,
        csv_bytes,
        customer_row,
    )

    importer = Importer(tmp_path)
    run = importer(
        tenant,
        "customers",
        csv_bytes(
            "使用者番号,使用者名カナ,使用者名,給水場所,口径,検針周期,支払方法,状態",
            customer_row("5050-0001", payment="納付書"),
        ),
    )
    assert run.status == "succeeded", run.report
    run = importer(
        tenant,
        "bills",
        csv_bytes(
            BILLS,
            bill_row(
                "5050-0001",
                "2026-08",
                previous=200,
                current=224,
                water=3080,
                sewer=2090,
                due="2026-08-31",
            ),
            bill_row(
                "5050-0001",
                "2026-10",
                previous=224,
                current=245,
                water=2750,
                sewer=1870,
                due="2026-10-31",
            ),
        ),
    )
    assert run.status == "succeeded", run.report
    from waterportal.contracts.models import Customer

    make_link(member, Customer.objects.get(tenant=tenant, number="50500001"))
    text = text_of(signed_in.get("/"))
    # 245 − 224 = 21 m³ over 61 days = 0.344… → 0.3 m³ (344 L); 21 − 24 = −3 m³;
    # (2,750 + 1,870) − (3,080 + 2,090) = 4,620 − 5,170 = −550円; tax 4,620 × 10 / 110 = 420円.
    assert "使用水量 21 m³" in text
    assert "1日あたり 0.3 m³（約344リットル）" in text
    assert "請求金額 4,620円" in text and "うち消費税額 420円" in text
    assert "前回（2026年8月分）より 使用水量 −3 m³ 請求金額 −550円" in text
    assert "納期限の2026年10月31日を過ぎました" in text


def test_the_home_is_never_cached_and_needs_a_login(portal, signed_in):
    page = signed_in.get("/")
    assert "no-store" in page["Cache-Control"]
    signed_in.post("/logout")
    assert portal.get("/").url.startswith("/login")


def test_a_direct_debit_past_its_date_without_a_result_says_it_is_being_checked(
    signed_in, link, customer
):
    make_bill(customer, "2026-08")  # due 2026-09-30, no payment file yet
    text = text_of(signed_in.get("/"))
    assert "引き落とし結果の確認中" in text and "2026年9月30日が口座振替日でした" in text

"""History with charts and table, and the detail page of one bill."""

import datetime as dt

from waterportal.testing import make_bill, make_history, make_payment, text_of


def test_the_history_charts_and_tabulates_every_kept_period(signed_in, link, customer):
    make_history(customer, periods=30, last="2026-10")
    page = signed_in.get(f"/contracts/{link.pk}/history")
    assert page.status_code == 200
    html = page.text
    assert html.count('role="img"') == 2
    assert 'aria-label="使用水量のグラフ。' in html and 'aria-label="請求金額のグラフ。' in html
    # 30 bi-monthly periods ending 2026-10 begin 2021-12; every one is in the table.
    assert html.count(f'href="/contracts/{link.pk}/bills/') == 30
    text = text_of(page)
    assert "2021年12月から2026年10月まで、30回分の記録があります" in text
    assert f'href="/contracts/{link.pk}/history.csv"' in html


def test_the_table_gives_the_figures_of_each_period(signed_in, link, customer):
    bill = make_bill(customer, "2026-10", usage=18, days=60, water=2530, sewer=1650)
    make_payment(bill, paid_on=dt.date(2026, 11, 30))
    text = text_of(signed_in.get(f"/contracts/{link.pk}/history"))
    assert "2026年10月分 2026年10月10日 18 m³ 60日 0.3 m³ 4,180円 口座振替済" in text


def test_the_charts_bars_carry_month_and_value_labels(signed_in, link, customer):
    make_bill(customer, "2026-08", usage=21, water=2750, sewer=1850)
    make_bill(customer, "2026-10", usage=18, water=2530, sewer=1650)
    html = signed_in.get(f"/contracts/{link.pk}/history").text
    for label in ("2026年10月", "2026年8月", "18 m³", "21 m³", "4,180円", "4,600円"):
        assert f">{label}</text>" in html


def test_a_bill_page_gives_the_full_breakdown(signed_in, link, customer):
    make_bill(customer, "2026-08", usage=21, water=2750, sewer=1850)
    make_bill(
        customer,
        "2026-10",
        usage=18,
        days=60,
        water=2530,
        sewer=1650,
        basic_charge=1650,
        volume_charge=880,
        reading_status="認定",
        meter_replaced=True,
    )
    page = signed_in.get(f"/contracts/{link.pk}/bills/2026-10")
    assert page.status_code == 200
    text = text_of(page)
    for expected in [
        "2026年10月分の明細",
        "水道料金 2,530円 うち基本料金 1,650円 うち従量料金 880円",
        "下水道使用料 1,650円",
        "メーターを確認できなかったため、使用水量を推定しています（認定）",
        "この期間にメーターを交換しました",
        "口座振替予定",
        "前回（2026年8月分）より 使用水量 −3 m³ 請求金額 −420円",
    ]:
        assert expected in text, expected
    assert f'href="/contracts/{link.pk}/bills/2026-10.pdf"' in page.text
    assert f'href="/contracts/{link.pk}/bills/2026-08"' in page.text


def test_a_bill_page_links_to_the_newer_period(signed_in, link, customer):
    make_bill(customer, "2026-08")
    make_bill(customer, "2026-10")
    page = signed_in.get(f"/contracts/{link.pk}/bills/2026-08")
    assert f'href="/contracts/{link.pk}/bills/2026-10"' in page.text


def test_an_unknown_reading_status_is_shown_as_it_comes(signed_in, link, customer):
    make_bill(customer, "2026-10", reading_status="閉栓中")
    assert "閉栓中" in text_of(signed_in.get(f"/contracts/{link.pk}/bills/2026-10"))


def test_an_ended_contract_keeps_its_history(signed_in, link, customer):
    customer.status = "中止"
    customer.save(update_fields=["status"])
    make_history(customer, periods=3)
    page = signed_in.get(f"/contracts/{link.pk}/history")
    assert page.status_code == 200 and "契約終了" in page.text


def test_no_bills_yet(signed_in, link):
    page = signed_in.get(f"/contracts/{link.pk}/history")
    assert "まだ表示できる検針結果がありません" in page.text and 'role="img"' not in page.text

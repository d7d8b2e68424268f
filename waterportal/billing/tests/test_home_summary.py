"""Several contracts: the home starts with one row per contract and the total still owed,
then the notices, then each contract's card. One contract keeps the simple page.

How the rows fit a phone's first screen is checked in e2e/test_home_summary_browser.py.
"""

import datetime as dt
import re

from waterportal.testing import (
    choose_language,
    make_bill,
    make_customer,
    make_link,
    make_payment,
    text_of,
)


def summary_of(html: str) -> str:
    found = re.findall(r'<section class="card home-summary".*?</section>', html, re.S)
    assert len(found) == 1, f"{len(found)} summaries"
    return found[0]


def rows_of(summary: str) -> list[tuple[str, str]]:
    """Each row's link target and its text as read."""
    rows = re.findall(r'<a class="summary-row[^"]*" href="([^"]+)">(.*?)</a></li>', summary, re.S)
    return [(href, text_of_html(text).strip()) for href, text in rows]


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def total_of(summary: str) -> str:
    found = re.search(r'<p class="summary-total">.*?<strong>([^<]+)</strong>', summary, re.S)
    assert found
    return found.group(1)


def three_contracts(member, tenant, customer):
    """By debit (4,180円 on 30 Nov), by slip paid (5,500円), by slip unpaid (6,600円)."""
    make_link(member, customer)
    make_bill(customer, "2026-10", water=2530, sewer=1650)
    paid = make_customer(
        tenant, number="20200002", payment_method="納付書", address="おうむ町栄町2-1"
    )
    make_link(member, paid)
    bill = make_bill(paid, "2026-10", water=3300, sewer=2200)
    make_payment(bill, result="済", method="コンビニ", paid_on=dt.date(2026, 11, 1))
    unpaid = make_customer(
        tenant, number="30300003", payment_method="納付書", address="おうむ町港町3-3"
    )
    make_link(member, unpaid)
    make_bill(unpaid, "2026-10", water=4400, sewer=2200)


def test_three_contracts_one_row_each_with_amount_date_and_status(
    signed_in, member, tenant, customer
):
    three_contracts(member, tenant, customer)
    summary = summary_of(signed_in.get("/").text)
    texts = [text for _href, text in rows_of(summary)]
    assert texts == [
        "おうむ町本町1-2-3 4,180円 引き落とし予定日 11月30日・引き落とし前",
        "おうむ町栄町2-1 5,500円 納期限 11月30日・お支払い済み",
        "おうむ町港町3-3 6,600円 納期限 11月30日・お支払い前",
    ]
    assert "ご契約 3件" in text_of_html(summary)


def test_the_total_adds_only_what_is_still_to_be_paid_or_debited(
    signed_in, member, tenant, customer
):
    three_contracts(member, tenant, customer)
    summary = summary_of(signed_in.get("/").text)
    # 4,180 (debit to come) + 6,600 (slip unpaid); the paid 5,500 is not owed.
    assert total_of(summary) == "10,780円"
    assert "お支払い・引き落とし前の合計" in text_of_html(summary)


def test_each_row_leads_to_its_card_on_the_page(signed_in, member, tenant, customer):
    three_contracts(member, tenant, customer)
    html = signed_in.get("/").text
    targets = [href for href, _text in rows_of(summary_of(html))]
    assert len(targets) == 3
    for href in targets:
        assert href.startswith("#contract-")
        assert f'<h2 id="{href[1:]}">' in html


def test_the_summary_comes_first_then_the_notices_then_the_cards(
    signed_in, member, tenant, customer
):
    three_contracts(member, tenant, customer)
    html = signed_in.get("/").text
    summary = html.index('class="card home-summary"')
    notices = html.index('id="notices"')
    first_card = html.index('class="card contract-card')
    assert summary < notices < first_card


def test_ten_contracts_ten_rows_and_their_total(signed_in, member, tenant):
    for i in range(10):
        contract = make_customer(
            tenant, number=f"5050{i:04d}", payment_method="納付書", address=f"おうむ町緑町{i + 1}"
        )
        make_link(member, contract)
        make_bill(contract, "2026-10", water=1000 + i * 100, sewer=0)
    summary = summary_of(signed_in.get("/").text)
    rows = rows_of(summary)
    assert len(rows) == 10
    assert [text.split()[1] for _href, text in rows] == [f"{1000 + i * 100:,}円" for i in range(10)]
    assert total_of(summary) == "14,500円"


def test_a_contract_without_a_bill_a_pending_and_an_ended_one_say_so(
    signed_in, member, tenant, link, customer
):
    # ``link``: 1010-0001 with no bill yet.
    later = make_customer(tenant, number="10100003", address="おうむ町新町3")
    make_link(member, later, active_from=dt.date(2026, 11, 5))
    make_bill(later, "2026-10", water=9999, sewer=0)
    ended = make_customer(
        tenant, number="10100004", status="中止", payment_method="納付書", address="おうむ町旧町4"
    )
    make_link(member, ended)
    make_bill(ended, "2026-06", water=3000, sewer=1000)
    summary = summary_of(signed_in.get("/").text)
    texts = [text for _href, text in rows_of(summary)]
    assert texts == [
        "おうむ町本町1-2-3 — 検針結果はまだありません",
        "おうむ町新町3 — 準備中（11月5日から表示）",
        "おうむ町旧町4 契約終了 4,000円 納期限 7月31日・納期限を過ぎています",
    ]
    # The pending contract's bill is not shown yet, nor counted; the ended one's unpaid is.
    assert "9,999円" not in summary
    assert total_of(summary) == "4,000円"


def test_nothing_owed_totals_zero(signed_in, member, tenant, customer):
    make_link(member, customer)
    bill = make_bill(customer, "2026-08")
    make_payment(bill, result="済", method="口座振替", paid_on=dt.date(2026, 10, 31))
    second = make_customer(tenant, number="20200002", address="おうむ町栄町2-1")
    make_link(member, second)
    summary = summary_of(signed_in.get("/").text)
    assert total_of(summary) == "0円"
    assert "引き落とし日 9月30日・引き落とし済み" in text_of_html(summary)


def test_one_contract_has_no_summary(signed_in, link, customer):
    make_bill(customer, "2026-10")
    html = signed_in.get("/").text
    assert "home-summary" not in html
    assert html.index('id="notices"') < html.index('class="card contract-card')


def test_the_summary_in_english(signed_in, member, tenant, customer):
    three_contracts(member, tenant, customer)
    choose_language(signed_in.client, "en")
    text = text_of(signed_in.get("/"))
    assert "Amount still to pay or be debited" in text
    assert "¥10,780" in text

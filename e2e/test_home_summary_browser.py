"""A member with ten contracts sees every contract's amount on the phone's first screen,
and a row's tap brings that contract's card into view.

The rows' words, order and total are checked in waterportal/billing/tests/test_home_summary.py.
"""

import re
import secrets

import pytest

from e2e.conftest import DESKTOP, PHONE, TENANT, Screen, axe_clean, log_in, manage
from waterportal.testing import STRONG_PASSWORD

pytestmark = pytest.mark.e2e

# A member of the demo town with ``count`` contracts of their own, each with a bill of
# last month due in three weeks, paid by slip; addresses as long as the demo's.
MAKE_MANY = """
import datetime as dt
from django.utils import timezone
from django_scopes import scopes_disabled
from waterportal.accounts.models import User
from waterportal.billing.models import Bill
from waterportal.contracts.models import Customer, Link
from waterportal.lib.kana import kana_key
from waterportal.tenants import versions
from waterportal.tenants.models import Tenant
with scopes_disabled():
    tenant = Tenant.objects.get(slug={tenant!r})
    member = User.objects.create_user({email!r}, {password!r}, tenant=tenant, name="水道 十子")
    versions.record_acceptance(member, versions.current_versions(tenant), now=timezone.now())
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for i in range({count}):
        customer = Customer.objects.create(
            tenant=tenant, number="77{tag}%02d" % i, name_kana="ミズ トオコ",
            name_kana_key=kana_key("ミズ トオコ"), address="おうむ町本町%d-12-3" % (i + 1),
            payment_method="納付書")
        Link.objects.create(tenant=tenant, member=member, customer=customer, relationship="本人",
                            created_at=timezone.now() - dt.timedelta(days=40),
                            active_from=today - dt.timedelta(days=30))
        amount = 12000 + i * 1111
        Bill.objects.create(
            tenant=tenant, customer=customer, billing_month=month,
            reading_date=month.replace(day=10), previous_reading=100, current_reading=130,
            usage_m3=30, days=61, water_charge=amount, sewer_charge=0, tax=amount // 11,
            amount=amount, due_date=today + dt.timedelta(days=21))
"""


@pytest.fixture
def ten_contracts(portal) -> str:
    email = f"many-{secrets.token_hex(3)}@example.jp"
    script = MAKE_MANY.format(
        tenant=TENANT,
        email=email,
        password=STRONG_PASSWORD,
        count=10,
        tag=f"{secrets.randbelow(10**6):06d}",
    )
    manage("shell", "-c", script, env=portal.env)
    return email


def test_ten_contracts_all_amounts_on_the_first_screen(phone, portal, ten_contracts, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    log_in(page, portal, ten_contracts, name="水道 十子")

    amounts = page.locator(".home-summary .summary-amount")
    assert amounts.count() == 10
    expected = [f"{12000 + i * 1111:,}円" for i in range(10)]
    assert amounts.all_inner_texts() == expected
    for i in range(10):
        box = amounts.nth(i).bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (
            f"{expected[i]} ends at {box['y'] + box['height']:.0f} px, "
            f"below the first screen ({PHONE['height']} px)"
        )
    total = sum(12000 + i * 1111 for i in range(10))
    summary_total = page.locator(".home-summary .summary-total strong")
    assert summary_total.inner_text() == f"{total:,}円"
    screen.check("home with ten contracts", zoom=True)
    axe_clean(page, "home with ten contracts at 360 px")

    # お知らせ comes between the summary and the cards.
    order = page.evaluate(
        """() => ['.home-summary', '#notices', '.contract-card']
            .map(s => document.querySelector(s).getBoundingClientRect().top)"""
    )
    assert order == sorted(order), order

    # One tap: the last row brings its card's heading to the top of the screen.
    page.locator(".home-summary .summary-row").nth(9).click()
    box = page.locator(".contract-card h2").nth(9).bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"] / 2

    page.set_viewport_size(DESKTOP)
    axe_clean(page, f"home with ten contracts at {DESKTOP['width']} px")


def test_the_sample_slip_on_the_add_contract_page(phone, portal, ten_contracts, tmp_path):
    page = phone.pages[0] if phone.pages else phone.new_page()
    screen = Screen(page, tmp_path / "screens")
    log_in(page, portal, ten_contracts, name="水道 十子")
    page.goto(portal.url("/account/contracts/add"))
    sample = page.get_by_role("img", name=re.compile("検針票の見本"))
    sample.wait_for()
    # Drawn and loaded (an image the browser refused would have no width).
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", sample.element_handle())
    box = sample.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    screen.check("add contract with the sample slip", zoom=True)
    axe_clean(page, "add contract at 360 px")

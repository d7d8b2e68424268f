"""Small builders for test data; each returns saved rows.

Whoever is not named gets the suite's usual people (``personas``): a member is 水道 花子
unless told otherwise.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from waterportal.accounts.models import User
from waterportal.billing.models import Bill, Payment
from waterportal.billing.services import add_months
from waterportal.contracts.models import Customer, Link
from waterportal.lib.kana import kana_key
from waterportal.staff.actions import do_create_staff, do_enroll_operator_authenticator
from waterportal.tenants import versions
from waterportal.tenants.models import Tenant
from waterportal.testing.personas import HANAKO, OPERATOR, STRONG_PASSWORD, SUIDO


def make_customer(
    tenant: Tenant, number="12345678", kana="スイドウ タロウ", status="使用中", **extra
) -> Customer:
    return Customer.objects.create(
        tenant=tenant,
        number=number,
        name_kana=kana,
        name_kana_key=kana_key(kana),
        status=status,
        address=extra.pop("address", "おうむ町本町1-2-3"),
        **extra,
    )


def make_member(
    tenant: Tenant,
    email=HANAKO.email,
    password=STRONG_PASSWORD,
    name=HANAKO.name,
    *,
    accepted_texts=True,
) -> User:
    """A member who, as registration records, accepted the town's current texts when they
    joined (``accepted_texts=False``: one who has accepted none)."""
    member = User.objects.create_user(email, password, tenant=tenant, name=name)
    if accepted_texts:
        versions.record_acceptance(
            member, versions.current_versions(tenant), now=member.date_joined
        )
    return member


@dataclass
class StaffAccount:
    """A staff account with what ``create_staff`` shows once: its authenticator's secret
    and its ten recovery codes."""

    user: User
    totp: TOTPDevice
    recovery_codes: list[str]
    password: str

    @property
    def email(self) -> str:
        return self.user.email

    def code_now(self) -> str:
        return authenticator_code(self.user)


def make_staff(
    tenant: Tenant, email=SUIDO.email, *, role="manager", password=SUIDO.password, name=SUIDO.name
) -> StaffAccount:
    user, _uri, codes = do_create_staff(tenant, email, role=role, password=password, name=name)
    return StaffAccount(user, TOTPDevice.objects.get(user=user), codes, password)


def make_operator() -> User:
    """The operator: a superuser of the admin, which sees every municipality, with an
    authenticator app enrolled (``operator_code``)."""
    operator = User.objects.create_superuser(OPERATOR.email, OPERATOR.password)
    do_enroll_operator_authenticator(operator)
    return operator


def authenticator_code(user: User) -> str:
    """The 6 digits the account's authenticator app shows at this moment (RFC 6238)."""
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def make_link(
    member: User,
    customer: Customer,
    *,
    active_from=dt.date(2026, 1, 5),
    relationship="本人",
    revoked=False,
) -> Link:
    now = timezone.now()
    return Link.objects.create(
        tenant=customer.tenant,
        member=member,
        customer=customer,
        relationship=relationship,
        created_at=now,
        active_from=active_from,
        revoked_at=now if revoked else None,
    )


def make_bill(
    customer: Customer,
    month: str | dt.date,
    *,
    usage=20,
    previous=100,
    days=61,
    water=3300,
    sewer=2200,
    **extra,
) -> Bill:
    """A bill of ``month`` ("2026-10"): read on the 10th, due at the end of the next month."""
    if isinstance(month, str):
        year, mon = month.split("-")
        month = dt.date(int(year), int(mon), 1)
    amount = water + sewer
    fields = {
        "reading_date": month.replace(day=10),
        "previous_reading": previous,
        "current_reading": previous + usage,
        "usage_m3": usage,
        "days": days,
        "water_charge": water,
        "sewer_charge": sewer,
        "tax": amount * 10 // 110,
        "amount": amount,
        "due_date": add_months(month, 2) - dt.timedelta(days=1),
    } | extra
    return Bill.objects.create(
        tenant=customer.tenant, customer=customer, billing_month=month, **fields
    )


def make_history(customer: Customer, *, periods: int, last="2026-10", every=2) -> list[Bill]:
    """``periods`` bills every ``every`` months ending with ``last``, oldest first (one
    bulk insert, so that hundreds of periods stay quick to make)."""
    year, mon = last.split("-")
    end = dt.date(int(year), int(mon), 1)
    months = [add_months(end, -every * i) for i in reversed(range(periods))]
    bills = []
    reading = 100
    for i, month in enumerate(months):
        usage = 15 + i % 7
        water, sewer = 2000 + usage * 100, 1500
        bills.append(
            Bill(
                tenant=customer.tenant,
                customer=customer,
                billing_month=month,
                reading_date=month.replace(day=10),
                previous_reading=reading,
                current_reading=reading + usage,
                usage_m3=usage,
                days=61,
                water_charge=water,
                sewer_charge=sewer,
                tax=(water + sewer) * 10 // 110,
                amount=water + sewer,
                due_date=add_months(month, 2) - dt.timedelta(days=1),
            )
        )
        reading += usage
    return Bill.objects.bulk_create(bills)


def make_payment(bill: Bill, *, result="済", method="口座振替", paid_on=None) -> Payment:
    paid = paid_on if result == "済" else None
    if result == "済" and paid is None:
        paid = bill.due_date
    return Payment.objects.create(
        tenant=bill.tenant,
        bill=bill,
        paid_on=paid,
        amount=bill.amount if result == "済" else None,
        method=method,
        result=result,
    )

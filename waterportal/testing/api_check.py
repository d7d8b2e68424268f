"""The data the API check (``scripts/api_check.py``) runs against: two towns, each with a
member, a contract and its bills, so that every answer of おうむ町's member is checked
with きた市's rows present (and unreachable). Returns what the check needs to know."""

import datetime as dt

from django.db import transaction
from django_scopes import scopes_disabled

from waterportal.devices.actions import do_sign_in_app
from waterportal.tenants.actions import do_create_tenant
from waterportal.testing.factories import (
    make_customer,
    make_history,
    make_link,
    make_member,
    make_payment,
)
from waterportal.testing.inquiries import make_inquiry
from waterportal.testing.notices import make_notice
from waterportal.testing.personas import HANAKO, JIRO, KITA, OUMU

PUBLISHED_AT = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def seed() -> dict:
    with scopes_disabled(), transaction.atomic():
        towns = {}
        for town, person, number in ((OUMU, HANAKO, "10100001"), (KITA, JIRO, "20200002")):
            tenant = do_create_tenant(**town.fields(), published_at=PUBLISHED_AT)
            member = make_member(tenant, email=person.email, name=person.name)
            customer = make_customer(tenant, number=number, payment_method="口座振替")
            link = make_link(member, customer)
            bills = make_history(customer, periods=12, last="2026-10")
            make_payment(bills[-2])
            notice = make_notice(tenant)
            inquiry = make_inquiry(tenant, member=member)
            _, token = do_sign_in_app(member, name="API check", source="127.0.0.1")
            towns[town.slug] = {
                "token": token,
                "link_id": link.pk,
                "month": "2026-10",
                "notice_id": notice.pk,
                "inquiry_id": inquiry.pk,
            }
    return {"slug": OUMU.slug, **towns[OUMU.slug], "other": towns[KITA.slug]}

"""The data the deployment checks run against: a published town with a member, a
contract and its bills, and a 管理者 with an authenticator. Made with the portal's own
code (``seed``), in whichever database DATABASE_URL names; returns what the checks need."""

import datetime as dt

from django.db import transaction
from django.test import Client
from django_scopes import scopes_disabled

from waterportal.tenants.actions import do_create_tenant
from waterportal.testing.factories import (
    make_customer,
    make_history,
    make_link,
    make_member,
    make_payment,
    make_staff,
)
from waterportal.testing.personas import HANAKO, OUMU, STRONG_PASSWORD, SUIDO

PUBLISHED_AT = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def seed() -> dict:
    with scopes_disabled(), transaction.atomic():
        tenant = do_create_tenant(**OUMU.fields(), published_at=PUBLISHED_AT)
        member = make_member(tenant, email=HANAKO.email, name=HANAKO.name)
        customer = make_customer(tenant, number="10100001", payment_method="口座振替")
        link = make_link(member, customer)
        bills = make_history(customer, periods=6, last="2026-10")
        make_payment(bills[-2])
        staff = make_staff(tenant)
        return {
            "slug": tenant.slug,
            "email": member.email,
            "password": STRONG_PASSWORD,
            "link_id": link.pk,
            "amounts": [bill.amount for bill in bills],
            "staff_email": SUIDO.email,
            "staff_password": SUIDO.password,
            "staff_key": staff.totp.key,
        }


def history_csv(slug: str, email: str, password: str, link_id: int) -> str:
    """The member's bills as they download them (履歴の CSV), after a real sign-in."""
    client = Client()
    signed_in = client.post(f"/login?tenant={slug}", {"email": email, "password": password})
    assert signed_in.status_code == 302, signed_in.status_code
    response = client.get(f"/contracts/{link_id}/history.csv?tenant={slug}")
    assert response.status_code == 200, response.status_code
    return response.content.decode("utf-8-sig")

"""Adding and revoking a member's link to a contract, as the account page does."""

import datetime as dt

import pytest
from django.core import mail

from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import (
    AlreadyLinked,
    SelfTaken,
    do_add_contract,
    do_link_contract,
    do_revoke_link,
)
from waterportal.contracts.models import Customer, Link
from waterportal.testing import WEDNESDAY, make_customer, make_member


@pytest.fixture
def customer(tenant):
    return make_customer(tenant)


def test_an_added_contract_is_visible_from_the_next_business_day(member, customer):
    link = do_add_contract(member, customer, "家族", now=WEDNESDAY)
    assert link.active_from == dt.date(2026, 11, 26)
    assert AuditEvent.objects.filter(action="link_created", member=member).count() == 1


def test_adding_tells_the_members_already_linked(
    tenant, member, customer, django_capture_on_commit_callbacks
):
    first = make_member(tenant, email="first@example.jp")
    do_link_contract(first, customer, "本人", now=WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        do_add_contract(member, customer, "家族", now=WEDNESDAY)
    (told,) = [m for m in mail.outbox if "first@example.jp" in m.to]
    assert customer.masked_number in told.body and "家族" in told.body


def test_adding_self_is_refused_when_the_contract_has_a_self(tenant, member, customer):
    do_link_contract(make_member(tenant, email="first@example.jp"), customer, "本人", now=WEDNESDAY)
    with pytest.raises(SelfTaken):
        do_add_contract(member, customer, "本人", now=WEDNESDAY)
    assert not Link.objects.filter(member=member).exists()


def test_adding_a_contract_twice_is_refused(member, customer):
    do_add_contract(member, customer, "本人", now=WEDNESDAY)
    with pytest.raises(AlreadyLinked):
        do_add_contract(member, customer, "家族", now=WEDNESDAY)


def test_revoking_a_link_keeps_the_row_and_the_ledger(member, customer):
    link = do_add_contract(member, customer, "本人", now=WEDNESDAY)
    later = WEDNESDAY + dt.timedelta(days=3)
    do_revoke_link(member, link, now=later)
    link.refresh_from_db()
    assert link.revoked_at == later
    assert Customer.objects.filter(pk=customer.pk).exists()
    event = AuditEvent.objects.get(action="link_revoked")
    assert event.member == member and event.data == {"link": link.pk}


def test_revoking_twice_changes_nothing_the_second_time(member, customer):
    link = do_add_contract(member, customer, "本人", now=WEDNESDAY)
    do_revoke_link(member, link, now=WEDNESDAY)
    do_revoke_link(member, link, now=WEDNESDAY + dt.timedelta(hours=1))
    link.refresh_from_db()
    assert link.revoked_at == WEDNESDAY
    assert AuditEvent.objects.filter(action="link_revoked").count() == 1


def test_a_member_cannot_revoke_another_members_link(tenant, member, customer):
    link = do_add_contract(member, customer, "本人", now=WEDNESDAY)
    with pytest.raises(Link.DoesNotExist):
        do_revoke_link(make_member(tenant, email="other@example.jp"), link, now=WEDNESDAY)
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_revoked_contract_can_be_added_again_and_self_is_free_again(tenant, member, customer):
    link = do_add_contract(member, customer, "本人", now=WEDNESDAY)
    do_revoke_link(member, link, now=WEDNESDAY)
    other = make_member(tenant, email="other@example.jp")
    assert do_add_contract(other, customer, "本人", now=WEDNESDAY).relationship == "本人"
    again = do_add_contract(member, customer, "家族", now=WEDNESDAY)
    assert again.pk != link.pk and again.revoked_at is None

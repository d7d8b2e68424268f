"""The town's closed days on the settings page: the year-end closure, made editable, and
extra closed days, both used by the next-business-day rule of new links."""

import datetime as dt

from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import do_add_contract
from waterportal.tenants.calendar import activation_date, is_business_day, next_business_day
from waterportal.tenants.models import ClosedDay
from waterportal.testing import WEDNESDAY, make_customer, settings_form_of

D = dt.date
SETTINGS = "/staff/settings"
ADD = "/staff/settings/closed-days"


def test_the_default_year_end_closure_is_december_29_to_january_3(tenant):
    assert next_business_day(tenant, D(2026, 12, 28)) == D(2027, 1, 4)


def test_a_town_moves_its_year_end_closure(console, tenant, other_tenant):
    response = console.post(
        SETTINGS,
        settings_form_of(
            tenant,
            year_end_start_month="12",
            year_end_start_day="28",
            year_end_end_month="1",
            year_end_end_day="5",
        ),
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert not is_business_day(tenant, D(2026, 12, 28))  # a Monday
    assert next_business_day(tenant, D(2026, 12, 25)) == D(2027, 1, 6)
    assert next_business_day(other_tenant, D(2026, 12, 25)) == D(2026, 12, 28), "きた市 unchanged"
    (event,) = AuditEvent.objects.filter(action="tenant_settings_changed")
    assert event.data["before"] == {"year_end_start_day": 29, "year_end_end_day": 3}
    assert event.data["after"] == {"year_end_start_day": 28, "year_end_end_day": 5}


def test_a_town_without_a_year_end_closure_is_open_on_december_29(console, tenant):
    form = settings_form_of(tenant)
    del form["year_end_closure"]
    assert console.post(SETTINGS, form).status_code == 302
    tenant.refresh_from_db()
    assert tenant.year_end_closure is False
    assert next_business_day(tenant, D(2026, 12, 28)) == D(2026, 12, 29)


def test_a_date_that_does_not_exist_is_refused(console, tenant):
    page = console.post(
        SETTINGS, settings_form_of(tenant, year_end_start_month="2", year_end_start_day="30")
    )
    assert "ない日付があります" in page.text
    tenant.refresh_from_db()
    assert (tenant.year_end_start_month, tenant.year_end_start_day) == (12, 29)


def test_a_closure_longer_than_a_month_is_refused(console, tenant):
    page = console.post(
        SETTINGS, settings_form_of(tenant, year_end_start_month="11", year_end_end_month="1")
    )
    assert "31日以内にしてください" in page.text
    tenant.refresh_from_db()
    assert tenant.year_end_start_month == 12


def test_an_added_closed_day_moves_the_next_business_day(console, tenant, other_tenant):
    assert next_business_day(tenant, D(2026, 11, 26)) == D(2026, 11, 27)
    response = console.post(ADD, {"date": "2026-11-27", "reason": "庁舎の停電"}, follow=True)
    assert "2026年11月27日を休業日にしました" in response.text
    assert "庁舎の停電" in response.text, "listed on the page"
    assert next_business_day(tenant, D(2026, 11, 26)) == D(2026, 11, 30)
    assert next_business_day(other_tenant, D(2026, 11, 26)) == D(2026, 11, 27)
    (event,) = AuditEvent.objects.filter(action="closed_day_added")
    assert event.actor == console.staff
    assert event.data == {"after": {"date": "2026-11-27", "reason": "庁舎の停電"}}


def test_a_contract_added_before_a_closed_day_becomes_visible_after_it(
    console, tenant, member, clock
):
    # Wednesday 25 November 2026: a contract added today shows from Thursday, unless the
    # town closed Thursday.
    customer = make_customer(tenant, number="20200002")
    console.post(ADD, {"date": "2026-11-26", "reason": ""})
    link = do_add_contract(member, customer, "本人")
    assert link.active_from == D(2026, 11, 27)
    assert activation_date(tenant, WEDNESDAY) == D(2026, 11, 27)


def test_a_day_already_closed_is_refused_with_nothing_added(console, tenant):
    console.post(ADD, {"date": "2026-12-01", "reason": "一回目"})
    page = console.post(ADD, {"date": "2026-12-01", "reason": "二回目"})
    assert "2026年12月1日はすでに休業日です" in page.text
    assert list(ClosedDay.objects.values_list("reason", flat=True)) == ["一回目"]
    assert AuditEvent.objects.filter(action="closed_day_added").count() == 1


def test_a_closed_day_without_a_date_is_refused(console, tenant):
    page = console.post(ADD, {"date": "あした", "reason": ""})
    assert "休業日は日付で入力してください" in page.text
    assert not ClosedDay.objects.exists()


def test_a_removed_closed_day_is_a_business_day_again(console, tenant):
    closed = ClosedDay.objects.create(tenant=tenant, date=D(2026, 11, 27), reason="停電")
    response = console.post(f"/staff/settings/closed-days/{closed.pk}/remove", follow=True)
    assert "2026年11月27日を休業日から外しました" in response.text
    assert is_business_day(tenant, D(2026, 11, 27))
    (event,) = AuditEvent.objects.filter(action="closed_day_removed")
    assert event.data == {"before": {"date": "2026-11-27", "reason": "停電"}}


def test_another_towns_closed_day_cannot_be_removed(console, other_tenant):
    theirs = ClosedDay.objects.create(tenant=other_tenant, date=D(2026, 11, 27))
    assert console.post(f"/staff/settings/closed-days/{theirs.pk}/remove").status_code == 404
    assert ClosedDay.objects.filter(pk=theirs.pk).exists()
    assert not AuditEvent.objects.filter(action="closed_day_removed").exists()


def test_the_closed_day_pages_take_no_get(console):
    assert console.get(ADD).status_code == 405

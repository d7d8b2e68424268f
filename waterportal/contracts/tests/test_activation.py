"""Links become active at the start of the tenant's next business day."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from waterportal.audit.models import AuditEvent
from waterportal.contracts.actions import do_link_contract
from waterportal.contracts.models import Link
from waterportal.tenants.models import ClosedDay
from waterportal.testing import make_customer, make_member

FRIDAY_EVENING = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # 19:00 in Tokyo


@pytest.fixture
def link(tenant):
    member = make_member(tenant)
    return do_link_contract(member, make_customer(tenant), "本人", now=FRIDAY_EVENING)


def test_a_link_made_on_friday_is_due_on_monday(link):
    assert link.active_from == dt.date(2026, 11, 30)


def test_a_tenants_closed_day_pushes_activation_further(tenant):
    ClosedDay.objects.create(tenant=tenant, date=dt.date(2026, 11, 30), reason="庁舎点検")
    link = do_link_contract(make_member(tenant), make_customer(tenant), "本人", now=FRIDAY_EVENING)
    assert link.active_from == dt.date(2026, 12, 1)


def test_the_command_activates_due_links_only(link, tenant):
    out = StringIO()
    call_command("activate_links", "--as-of", "2026-11-29", stdout=out)
    link.refresh_from_db()
    assert link.activated_at is None and "oumu: 0件" in out.getvalue()
    call_command("activate_links", "--as-of", "2026-11-30", stdout=out)
    link.refresh_from_db()
    assert link.activated_at is not None and "oumu: 1件" in out.getvalue()
    assert AuditEvent.objects.filter(action="link_activated", member=link.member).count() == 1


def test_running_it_twice_activates_once(link):
    call_command("activate_links", "--as-of", "2026-12-01", stdout=StringIO())
    call_command("activate_links", "--as-of", "2026-12-01", stdout=StringIO())
    assert AuditEvent.objects.filter(action="link_activated").count() == 1


def test_a_revoked_link_is_not_activated(link):
    Link.objects.filter(pk=link.pk).update(revoked_at=FRIDAY_EVENING)
    call_command("activate_links", "--as-of", "2026-12-01", stdout=StringIO())
    link.refresh_from_db()
    assert link.activated_at is None


def test_the_command_can_run_for_one_tenant(link, other_tenant):
    other_link = do_link_contract(
        make_member(other_tenant), make_customer(other_tenant), "本人", now=FRIDAY_EVENING
    )
    call_command("activate_links", "--as-of", "2026-12-01", "--tenant", "kita", stdout=StringIO())
    link.refresh_from_db()
    other_link.refresh_from_db()
    assert link.activated_at is None and other_link.activated_at is not None


@pytest.mark.parametrize("args", [["--as-of", "2026/13/01"], ["--tenant", "nowhere"]])
def test_bad_arguments_get_a_japanese_error(tenant, args):
    with pytest.raises(CommandError, match="指定|見つかりません"):
        call_command("activate_links", *args, stdout=StringIO())


def test_the_daily_schedule_runs_the_activation(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["activate-links"]
    from waterportal.contracts.tasks import activate_links

    assert entry["task"] == activate_links.name
    assert entry["schedule"].hour == {0}


def test_the_task_activates_like_the_command(link, time_machine):
    from waterportal.contracts.tasks import activate_links

    time_machine.move_to(dt.datetime(2026, 11, 29, 15, 5, tzinfo=dt.UTC))  # Monday 00:05 in Tokyo
    assert activate_links.delay().get() == {"oumu": 1}


def test_the_daily_job_does_not_visit_towns_with_nothing_waiting(
    link, django_assert_max_num_queries
):
    from waterportal.contracts.actions import activate_all
    from waterportal.tenants.actions import do_create_tenant

    def queries_of_the_job() -> int:
        Link.objects.filter(pk=link.pk).update(activated_at=None)
        with django_assert_max_num_queries(100) as captured:
            assert activate_all(dt.date(2026, 11, 30))["oumu"] == 1
        return len(captured)

    before = queries_of_the_job()
    for n in range(5):
        do_create_tenant(slug=f"town{n}", name=f"町{n}")
    # Five more towns, none with a link waiting: the same work, and each still answers 0.
    assert queries_of_the_job() == before
    assert activate_all(dt.date(2026, 11, 30))["town4"] == 0

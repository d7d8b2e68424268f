import datetime as dt

import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from waterportal.accounts.models import SignupFlow, VerificationCode
from waterportal.accounts.tasks import purge_expired
from waterportal.limits.models import RateEvent


def test_the_daily_purge_forgets_old_codes_flows_and_counters(portal):
    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC), tick=False) as clock:
        portal.open_tenant()
        # A code, a flow, and the request counted against its source address and
        # against the address across every town.
        portal.post("/register", {"email": "taro@example.jp"})
        clock.shift(dt.timedelta(hours=23))
        purge_expired()
        assert VerificationCode.objects.count() == SignupFlow.objects.count() == 1
        assert RateEvent.objects.count() == 2
        clock.shift(dt.timedelta(days=2))
        purge_expired()
    assert (
        VerificationCode.objects.count()
        == SignupFlow.objects.count()
        == RateEvent.objects.count()
        == 0
    )


def test_the_daily_purge_forgets_ended_sessions(portal):
    # The portal's visit to the town's login page left an anonymous session (12 hours).
    assert Session.objects.count() == 1
    now = timezone.now()
    with time_machine.travel(now + dt.timedelta(hours=11), tick=False):
        purge_expired()
    assert Session.objects.count() == 1
    with time_machine.travel(now + dt.timedelta(hours=13), tick=False):
        purge_expired()
    assert Session.objects.count() == 0

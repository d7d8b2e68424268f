import datetime as dt

import time_machine

from accounts.models import RateEvent, SignupFlow, VerificationCode
from accounts.tasks import purge_expired


def test_the_daily_purge_forgets_old_codes_flows_and_counters(portal):
    with time_machine.travel(dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC), tick=False) as clock:
        portal.open_tenant()
        # A code, a flow, and the request counted against its source address.
        portal.post("/register", {"email": "taro@example.jp"})
        clock.shift(dt.timedelta(hours=23))
        purge_expired()
        assert (
            VerificationCode.objects.count()
            == SignupFlow.objects.count()
            == RateEvent.objects.count()
            == 1
        )
        clock.shift(dt.timedelta(days=2))
        purge_expired()
    assert (
        VerificationCode.objects.count()
        == SignupFlow.objects.count()
        == RateEvent.objects.count()
        == 0
    )

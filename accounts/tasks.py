import datetime as dt
from importlib import import_module

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts import ratelimit
from accounts.models import SignupFlow, VerificationCode


@shared_task
def purge_expired() -> None:
    """Daily: forget what no one will look at again (codes, abandoned flows, counters,
    ended sessions).

    Runs across tenants on purpose: it deletes by age only and reads nothing out.
    """
    now = timezone.now()
    with scopes_disabled():
        VerificationCode.objects.filter(created_at__lt=now - dt.timedelta(days=1)).delete()
        SignupFlow.objects.filter(touched_at__lt=now - dt.timedelta(days=1)).delete()
    ratelimit.purge(now)
    # What manage.py clearsessions does: Django leaves expired sessions in the table,
    # one for every visit to a town's login page, for ever.
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()

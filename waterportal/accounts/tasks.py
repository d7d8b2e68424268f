from celery import shared_task

from waterportal.accounts.actions import do_purge_expired


@shared_task
def purge_expired() -> None:
    """Daily: forget what no one will look at again (``actions.do_purge_expired``)."""
    do_purge_expired()

"""Every read of a member's bills is on record, from the web and from the apps alike."""

import datetime as dt

from waterportal.audit.actions import do_record_look
from waterportal.billing import formatting
from waterportal.contracts.models import Link


def record_look(
    tenant,
    member,
    what: str,
    *,
    source: str,
    link: Link | None = None,
    month: dt.date | None = None,
) -> None:
    """``member`` looked at ``what`` (``viewed_home``, ``viewed_history``, ``viewed_bill``,
    ``downloaded_statement``, ``downloaded_history_csv``): of the contract of ``link``
    and the billing ``month`` when there is one (``audit.actions.do_record_look``)."""
    do_record_look(
        tenant,
        member,
        what,
        source=source,
        customer_id=link.customer_id if link is not None else None,
        month=formatting.month_slug(month) if month is not None else "",
    )

"""The member's side: home, history with charts, one bill, and the CSV and PDF files.

Each view parses the address, checks the link through ``services.visible_link`` (404
for anything that is not the member's own active link) and renders; the figures come
from ``waterportal.billing.services``.
"""

import datetime as dt

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from waterportal.accounts.decorators import member_page
from waterportal.billing import charts, files, services
from waterportal.billing.looks import record_look
from waterportal.contracts.models import Link
from waterportal.lib.sources import client_ip
from waterportal.tenants import freshness


def _link_or_404(request, link_id: int, today: dt.date) -> Link:
    link = services.visible_link(request.user, link_id, today)
    if link is None:
        raise Http404
    return link


def _looked(request, what: str, link: Link | None = None, month: dt.date | None = None):
    record_look(
        request.tenant, request.user, what, source=client_ip(request), link=link, month=month
    )


@member_page
@require_safe
def home(request):
    today = services.today_in_japan()
    # Taken before any data is read (see waterportal.tenants.freshness).
    version = freshness.cards_version(request.tenant.pk)
    # Built only if the template's cache has no cards for this member and version.
    cards = SimpleLazyObject(lambda: services.home_cards(request.user, request.tenant, today))
    context = {
        "cards": cards,
        "summary": SimpleLazyObject(lambda: services.HomeSummary(list(cards))),
        "today": today,
        "cards_version": version,
        "cards_cache_seconds": settings.HOME_CACHE_SECONDS,
    }
    # The latest bill of each of the member's contracts, whichever they are today.
    _looked(request, "viewed_home")
    return render(request, "billing/home.html", context)


@member_page
@require_safe
def usage(request):
    """The menu's 「これまでの使用量と料金」: the history of the member's one contract, or
    the home page's list of contracts when there are several (or none yet to see)."""
    today = services.today_in_japan()
    visible = list(
        services.member_links(request.user)
        .filter(active_from__lte=today)
        .values_list("pk", flat=True)[:2]
    )
    if len(visible) == 1:
        return redirect("billing:history", link_id=visible[0])
    return redirect("billing:home")


@member_page
@require_safe
def history(request, link_id: int):
    today = services.today_in_japan()
    link = _link_or_404(request, link_id, today)
    rows = services.history_rows(link, request.tenant, today)
    bills = [row.bill for row in rows]
    _looked(request, "viewed_history", link)
    return render(
        request,
        "billing/history.html",
        {
            "link": link,
            "customer": link.customer,
            "rows": rows,
            "usage_chart": charts.usage_chart(bills),
            "amount_chart": charts.amount_chart(bills),
        },
    )


@member_page
@require_safe
def history_csv(request, link_id: int):
    today = services.today_in_japan()
    link = _link_or_404(request, link_id, today)
    response = files.history_csv_response(link, request.tenant, today)
    _looked(request, "downloaded_history_csv", link)
    return response


@member_page
@require_safe
def bill(request, link_id: int, month: dt.date):
    today = services.today_in_japan()
    link = _link_or_404(request, link_id, today)
    page = services.bill_page(link, month, request.tenant, today)
    if page is None:
        raise Http404
    _looked(request, "viewed_bill", link, month)
    return render(
        request,
        "billing/bill.html",
        {
            "link": link,
            "customer": link.customer,
            "view": page.view,
            "newer_month": page.newer_month,
        },
    )


@member_page
@require_safe
def statement(request, link_id: int, month: dt.date):
    today = services.today_in_japan()
    link = _link_or_404(request, link_id, today)
    response = files.statement_response(link, month, request.tenant, today)
    if response is None:
        raise Http404
    _looked(request, "downloaded_statement", link, month)
    return response

"""The member's side: home, history with charts, one bill, and the CSV and PDF files.

Each view parses the address, checks the link through ``services.visible_link`` (404
for anything that is not the member's own active link) and renders; the figures come
from ``waterportal.billing.services``.
"""

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from waterportal.accounts.decorators import member_page
from waterportal.audit.actions import do_record_look
from waterportal.billing import charts, formatting, services, statements, texts
from waterportal.contracts.models import Link
from waterportal.lib.sources import client_ip
from waterportal.tenants import freshness


def _link_or_404(request, link_id: int, today: dt.date) -> Link:
    link = services.visible_link(request.user, link_id, today)
    if link is None:
        raise Http404
    return link


def _looked(request, what: str, link: Link | None = None, month: dt.date | None = None):
    do_record_look(
        request.tenant,
        request.user,
        what,
        source=client_ip(request),
        customer_id=link.customer_id if link is not None else None,
        month=formatting.month_slug(month) if month is not None else "",
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
        "today": today,
        "cards_version": version,
        "cards_cache_seconds": settings.HOME_CACHE_SECONDS,
    }
    # The latest bill of each of the member's contracts, whichever they are today.
    _looked(request, "viewed_home")
    return render(request, "billing/home.html", context)


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


# The CSV and the statement PDF are documents of the municipality: always in Japanese,
# whatever language the resident chose for the pages (dates, yen and payment words alike).
@member_page
@require_safe
@translation.override("ja")
def history_csv(request, link_id: int):
    today = services.today_in_japan()
    link = _link_or_404(request, link_id, today)
    rows = services.history_rows(link, request.tenant, today)
    digits = statements.last_digits(link.customer)
    _looked(request, "downloaded_history_csv", link)
    response = HttpResponse(
        statements.history_csv((row.bill, row.state) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = statements.content_disposition(
        "attachment", f"water-history-{digits}.csv", f"水道使用履歴_{digits}.csv"
    )
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
@translation.override("ja")
def statement(request, link_id: int, month: dt.date):
    today = services.today_in_japan()
    link = _link_or_404(request, link_id, today)
    bill = services.bill_for_statement(link, month)
    if bill is None:
        raise Http404
    state = texts.payment_state(
        bill, services.payment_of(bill), link.customer.payment_method, request.tenant, today
    )
    pdf = statements.statement_pdf(bill, link.customer, request.tenant, state, issued=today)
    _looked(request, "downloaded_statement", link, month)
    digits = statements.last_digits(link.customer)
    slug = formatting.month_slug(month)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = statements.content_disposition(
        "inline",
        f"statement-{slug}-{digits}.pdf",
        f"請求書_{formatting.month(month)}分_{digits}.pdf",
    )
    return response

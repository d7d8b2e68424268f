"""The two files of a contract, the same for the web page and the app: the statement of
one period (PDF) and the history (CSV).

They are documents of the municipality: always in Japanese, whatever language the
resident chose for the pages (dates, yen and payment words alike).
"""

import datetime as dt

from django.http import HttpResponse
from django.utils import translation

from waterportal.billing import formatting, services, statements, texts
from waterportal.contracts.models import Link
from waterportal.tenants.models import Tenant


@translation.override("ja")
def history_csv_response(link: Link, tenant: Tenant, today: dt.date) -> HttpResponse:
    """Every period of the link's contract, newest first, as a CSV download."""
    rows = services.history_rows(link, tenant, today)
    digits = statements.last_digits(link.customer)
    response = HttpResponse(
        statements.history_csv((row.bill, row.state) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = statements.content_disposition(
        "attachment", f"water-history-{digits}.csv", f"水道使用履歴_{digits}.csv"
    )
    return response


@translation.override("ja")
def statement_response(
    link: Link, month: dt.date, tenant: Tenant, today: dt.date
) -> HttpResponse | None:
    """The statement (請求書) of ``month`` as a PDF to open, or None without that bill."""
    bill = services.bill_for_statement(link, month)
    if bill is None:
        return None
    state = texts.payment_state(
        bill, services.payment_of(bill), link.customer.payment_method, tenant, today
    )
    pdf = statements.statement_pdf(bill, link.customer, tenant, state, issued=today)
    digits = statements.last_digits(link.customer)
    slug = formatting.month_slug(month)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = statements.content_disposition(
        "inline",
        f"statement-{slug}-{digits}.pdf",
        f"請求書_{formatting.month(month)}分_{digits}.pdf",
    )
    return response

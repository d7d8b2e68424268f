"""The town's audit log (管理者 only): the page, searched and paginated, and its CSV."""

import csv
from collections.abc import Iterator
from itertools import islice

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_scopes import scope

from waterportal.accounts.models import StaffRole
from waterportal.audit import words
from waterportal.lib.sources import client_ip
from waterportal.lib.spreadsheets import spreadsheet_safe
from waterportal.staff import actions
from waterportal.staff.audit_log import AuditSearchForm
from waterportal.staff.decorators import staff_page

PER_PAGE = 50
CSV_HEADER = [
    "日時",
    "操作者",
    "操作者のメールアドレス",
    "操作",
    "会員",
    "会員のメールアドレス",
    "接続元",
    "内容",
]
CSV_BATCH = 1000


@staff_page(StaffRole.MANAGER)
def audit_log(request):
    form = AuditSearchForm(request.tenant, request.GET)
    if not form.is_valid():
        return render(request, "staff/audit.html", {"form": form}, status=400)
    page = Paginator(form.events(), PER_PAGE).get_page(request.GET.get("page"))
    entries = words.describe_all(page.object_list)
    # The log shows members' names and addresses: a look, on record with the filters
    # as ids, codes and dates.
    actions.do_record_staff_look(
        request.user,
        "staff_viewed_audit_log",
        source=client_ip(request),
        filters=form.on_record(),
        page=page.number,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/audit.html",
        {"form": form, "page": page, "entries": entries, "query": query.urlencode()},
    )


@staff_page(StaffRole.MANAGER)
def audit_log_csv(request):
    """Exactly the rows the same search shows, every page of them, in one CSV."""
    form = AuditSearchForm(request.tenant, request.GET)
    if not form.is_valid():
        return render(request, "staff/audit.html", {"form": form}, status=400)
    events = form.events()
    actions.do_record_staff_look(
        request.user,
        "staff_downloaded_audit_log",
        source=client_ip(request),
        filters=form.on_record(),
    )
    name = f"audit-{request.tenant.slug}-{timezone.localdate():%Y%m%d}.csv"
    response = StreamingHttpResponse(
        _csv_lines(request.tenant, events), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Line:
    """What csv.writer writes to: each row comes back as its text."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(tenant, events) -> Iterator[str]:
    # Streamed after the view has returned, outside the request's scope: open it again.
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_HEADER)  # the BOM: Excel then reads UTF-8
    with scope(tenant=tenant):
        rows = events.iterator(chunk_size=CSV_BATCH)
        while batch := list(islice(rows, CSV_BATCH)):
            for entry in words.describe_all(batch):
                yield writer.writerow(
                    spreadsheet_safe(value)
                    for value in [
                        f"{timezone.localtime(entry.event.created_at):%Y-%m-%d %H:%M:%S}",
                        entry.actor,
                        entry.actor_email,
                        entry.action,
                        entry.member,
                        entry.member_email,
                        entry.source,
                        entry.details_text,
                    ]
                )

"""Imports: the town's history, uploading a file for the worker, and one run's progress
and report."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from waterportal.accounts.models import StaffRole
from waterportal.exchange.actions import UploadRefused, do_upload_import
from waterportal.exchange.models import ImportRun
from waterportal.exchange.notifications import new_bill_batch
from waterportal.lib.sources import client_ip
from waterportal.outbox import store
from waterportal.staff import actions
from waterportal.staff.decorators import staff_page
from waterportal.staff.forms import ImportUploadForm

PER_PAGE = 30
AT_WORK = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)


@staff_page()
def imports(request):
    runs = (
        ImportRun.objects.filter(tenant=request.tenant)
        .select_related("started_by")
        .order_by("-started_at", "-pk")
    )
    page = Paginator(runs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "staff/imports.html", {"page": page})


@staff_page(StaffRole.MANAGER, StaffRole.CLERK)
def upload(request):
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else None
    if form is None:
        form = ImportUploadForm()
    elif form.is_valid():
        try:
            run, new = do_upload_import(
                request.tenant,
                form.cleaned_data["kind"],
                form.cleaned_data["file"],
                actor=request.user,
                source=client_ip(request),
            )
        except UploadRefused as refused:
            form.add_error("file", str(refused))
        else:
            if not new:
                messages.info(
                    request,
                    f"同じ内容のファイルは、{timezone.localtime(run.started_at):%-m月%-d日 %H:%M}に"
                    f"取り込み #{run.pk} で受け付けています。もう一度取り込む必要はありません。"
                    "その取り込みを表示しています。",
                )
            return redirect("staff:import", run_id=run.pk)
    return render(request, "staff/imports_upload.html", {"form": form})


@staff_page()
def import_run(request, run_id: int):
    run: ImportRun = get_object_or_404(
        ImportRun.objects.select_related("started_by"), pk=run_id, tenant=request.tenant
    )
    # The report quotes the file's cells, names and addresses among them: a look.
    actions.do_record_staff_look(
        request.user, "staff_viewed_import", source=client_ip(request), run=run.pk
    )
    return render(
        request,
        "staff/imports_run.html",
        {
            "run": run,
            "progress": progress(run),
            "at_work": run.status in AT_WORK,
            # What the outbox delivered of the run's new-bill emails, once they were written.
            "new_bill_emails": store.counts(new_bill_batch(run)) if run.notified_at else None,
        },
    )


@staff_page()
def import_status(request, run_id: int):
    run = get_object_or_404(ImportRun, pk=run_id, tenant=request.tenant)
    return JsonResponse(progress(run) | {"finished": run.status not in AT_WORK})


def progress(run: ImportRun) -> dict:
    """How far ``run`` is, as the page and its status endpoint show it."""
    if run.status == ImportRun.Status.QUEUED:
        text = "順番を待っています。まもなく始まります。"
    elif run.status == ImportRun.Status.RUNNING and run.size and run.bytes_read >= run.size:
        text = "ファイルを読み終えました。内容を確認して書き込んでいます。"
    elif run.status == ImportRun.Status.RUNNING:
        text = f"ファイルを読んでいます（{_megabytes(run.bytes_read)} / {_megabytes(run.size)}）。"
    else:
        text = f"終わりました（{run.get_status_display()}）。"
    done = run.size if run.status not in AT_WORK else min(run.bytes_read, run.size)
    percent = int(done * 100 / run.size) if run.size else (0 if run.status in AT_WORK else 100)
    return {
        "status": run.status,
        "status_label": run.get_status_display(),
        "bytes_read": done,
        "size": run.size,
        "percent": percent,
        "text": f"{text} {percent}%",
    }


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"

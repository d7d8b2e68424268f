"""Importing exchange-v1 files: the one action behind ``import_data`` and staff uploads."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from audit.actions import record
from exchange.importers import IMPORTERS, Importer, Plan, Record
from exchange.models import ImportRun
from exchange.parsing import ProgressCallback, Report, inspect_file, open_text, read_rows
from tenants.models import Tenant

# A run still "running" after this long is taken for one whose process died, so that it
# does not block the tenant's imports for ever. The write lock below still keeps two
# imports from writing at once even if a very slow one is passed over.
STALE_AFTER = timedelta(hours=1)

# Uploads that cannot seek are copied here first: the file is read twice (encoding, rows).
_SPOOL_IN_MEMORY = 16 * 1024 * 1024


def do_import_file(
    tenant: Tenant,
    kind: str,
    file,
    *,
    filename: str | None = None,
    started_by=None,
    source: str = ImportRun.Source.COMMAND,
    on_progress: ProgressCallback | None = None,
    now: datetime | None = None,
) -> ImportRun:
    """Import one exchange-v1 file of ``kind`` ("customers", "bills", "payments") for
    ``tenant``, whole or not at all, and return its finished ``ImportRun``.

    ``file`` is a path or a binary file object (an upload); ``filename`` is recorded and
    shown, never opened. Every row is read and checked first; only if no problem was
    found is everything written, in one transaction holding the tenant's lock.

    The run ends ``succeeded`` with its counts, or ``rejected`` with its report and
    nothing changed, which is also the answer while another import for the same tenant
    is running. An unexpected error marks the run ``failed`` and is raised again.
    ``on_progress(bytes_read, total_bytes)`` is called while the rows are read.
    """
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValueError(f"Unknown exchange-v1 kind: {kind!r}")
    if filename is None:
        filename = _name_of(file)
    with scope(tenant=tenant):
        run = _start_run(tenant, kind, filename, started_by, source, now or timezone.now())
        if run.status != ImportRun.Status.RUNNING:
            return run
        try:
            with _binary(file) as stream:
                _import(run, importer, stream, on_progress)
        except BaseException:
            run.added = run.changed = run.unchanged = 0
            with transaction.atomic():
                report = Report(ImportRun.REPORT_LIMIT)
                report.add(
                    None, "", "", "処理中に予期しないエラーが起きました。何も変更していません。"
                )
                _finish(run, ImportRun.Status.FAILED, report)
            raise
    return run


def _start_run(tenant, kind, filename, started_by, source, now) -> ImportRun:
    """Record the run; refused (status rejected) while another runs for the tenant.

    The check and the new row are made under the tenant row's lock, so two imports
    started at the same moment cannot both pass it.
    """
    run = ImportRun(
        tenant=tenant,
        kind=kind,
        started_by=started_by,
        source=source,
        started_at=now,
        filename=filename[:255],
    )
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=tenant.pk)
        running = ImportRun.objects.filter(tenant=tenant, status=ImportRun.Status.RUNNING)
        abandoned = [{"line": None, "column": "", "value": "", "reason": "中断されました。"}]
        running.filter(started_at__lt=now - STALE_AFTER).update(
            status=ImportRun.Status.FAILED, finished_at=now, report=abandoned
        )
        busy = running.order_by("started_at").first()
        if busy is None:
            run.save()
            return run
        report = Report(ImportRun.REPORT_LIMIT)
        started = timezone.localtime(busy.started_at)
        report.add(
            None,
            "",
            "",
            f"別の取り込み（#{busy.pk}、{started:%Y-%m-%d %H:%M} 開始）が実行中です。"
            "終わってから、もう一度実行してください。",
        )
        run.save()
        _finish(run, ImportRun.Status.REJECTED, report)
    return run


def _import(run: ImportRun, importer: Importer, stream, on_progress) -> None:
    report = Report(ImportRun.REPORT_LIMIT)
    info = inspect_file(stream)
    run.size, run.sha256, run.encoding = info.size, info.sha256, info.label

    # Phase 1: read and check every row, without the database.
    records: dict[tuple, Record] = {}
    if info.encoding is None:
        reason = "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"
        report.add(None, "", "", reason)
    else:
        text = open_text(stream, info, on_progress)
        rows = read_rows(
            text, required=importer.required, optional=importer.optional, report=report
        )
        for row in rows:
            parsed = importer.parse(row)
            if parsed is None:
                continue
            first = records.get(parsed.key)
            if first is None:
                records[parsed.key] = parsed
                continue
            report.add(
                parsed.line,
                importer.key_columns,
                "・".join(parsed.raw_key),
                f"{first.line}行目と同じ{importer.key_columns}です（1つのファイルに1行だけにしてください）。",
            )

    # Phase 2: under the tenant's lock, check the rows against the ledger, then write
    # them all or nothing. On SQLite the lock is the database's write lock, taken when
    # the transaction begins (transaction_mode IMMEDIATE in settings).
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=run.tenant_id)
        plan = importer.plan(run.tenant, records, report) if records else Plan()
        if report:
            _finish(run, ImportRun.Status.REJECTED, report)
            return
        importer.write(plan, run.pk)
        run.added, run.changed, run.unchanged = len(plan.added), len(plan.changed), plan.unchanged
        _finish(run, ImportRun.Status.SUCCEEDED, report)
        if importer.tracks_run and (plan.added or plan.changed):
            from billing.tasks import notify_new_bills

            transaction.on_commit(lambda: notify_new_bills.delay(run.pk))


def _finish(run: ImportRun, status: str, report: Report) -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.rejected = report.count
    run.report = report.as_json()
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "size",
            "sha256",
            "encoding",
            "added",
            "changed",
            "unchanged",
            "rejected",
            "report",
        ]
    )
    record(
        run.tenant,
        "import",
        actor=run.started_by,
        kind=run.kind,
        run_id=run.pk,
        status=run.status,
        added=run.added,
        changed=run.changed,
        unchanged=run.unchanged,
        rejected=run.rejected,
    )


def _name_of(file) -> str:
    if isinstance(file, str | os.PathLike):
        return os.path.basename(os.fspath(file))
    name = getattr(file, "name", "")
    return os.path.basename(name) if isinstance(name, str) else ""


@contextmanager
def _binary(file) -> Iterator:
    """The file as a seekable binary stream (an upload is left open for its owner)."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as stream:
            yield stream
    elif getattr(file, "seekable", lambda: False)():
        yield file
    else:
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            shutil.copyfileobj(file, spool)
            yield spool

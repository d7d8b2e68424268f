"""Exchange's actions: importing exchange-v1 files (behind ``import_data`` and the staff
console's uploads), queueing an import's new-bill emails, marking abandoned runs
failed, and blanking old report values."""

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waterportal import emails
from waterportal.audit.actions import record
from waterportal.billing import warming
from waterportal.devices import push
from waterportal.exchange import notifications, runs
from waterportal.exchange.importers import IMPORTERS, Importer
from waterportal.exchange.importers.merge import (
    ANALYZE_AFTER,
    Probe,
    analyze,
    fresh,
    insert_fresh,
    merge,
    probe,
)
from waterportal.exchange.importers.staging import Staging
from waterportal.exchange.models import ImportRun
from waterportal.exchange.parsing import (
    NOT_TEXT,
    UNKNOWN_ENCODING,
    FileInfo,
    PlainLineReader,
    ProgressCallback,
    Report,
    inspect_file,
    open_text,
    read_rows,
    sniff,
)
from waterportal.lib import metrics
from waterportal.tenants import freshness
from waterportal.tenants.models import Tenant

log = logging.getLogger(__name__)

# Uploads that cannot seek are copied here first: the file is read more than once.
_SPOOL_IN_MEMORY = 16 * 1024 * 1024
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def do_import_file(
    tenant: Tenant,
    kind: str,
    file,
    *,
    filename: str | None = None,
    started_by=None,
    source: str = ImportRun.Source.COMMAND,
    on_progress: ProgressCallback | None = None,
    queued: ImportRun | None = None,
    again: bool = False,
    now: datetime | None = None,
) -> ImportRun:
    """Import one exchange-v1 file of ``kind`` ("customers", "bills", "payments") for
    ``tenant``, whole or not at all, and return its finished ``ImportRun``.

    ``file`` is a path or a binary file object (an upload); ``filename`` is recorded and
    shown, never opened. A file that is not text, or an upload larger than
    ``settings.IMPORT_MAX_BYTES``, is refused before it is read. Then every row is read
    and checked, the valid ones staged in the database; only if no problem was found is
    everything written, in one transaction holding the tenant's lock.

    The run ends ``succeeded`` with its counts, or ``rejected`` with its report and
    nothing changed, which is also the answer while another import for the same tenant
    is running. An upload of a file that succeeded in the last ten minutes (a double
    click) is answered with that earlier run. A file identical to the one the tenant's
    last succeeded import of ``kind`` read is not read again: its run succeeds at once
    with every row unchanged and names that run (``same_as``); ``again`` reads it all
    the same (after a fix to how a file is read). An unexpected error marks the run
    ``failed`` and is raised again; a killed process leaves its run "running" until the
    next import marks it failed (``waterportal.exchange.runs``).
    ``on_progress(bytes_read, total_bytes)`` is called while the rows are read.
    ``queued``: the "queued" run of a console upload (``do_upload_import``), which
    becomes this import's run instead of a new one.
    """
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValueError(f"Unknown exchange-v1 kind: {kind!r}")
    now = now or timezone.now()
    name = _CONTROL_CHARACTERS.sub("", filename if filename is not None else _name_of(file))
    limit = settings.IMPORT_MAX_BYTES if source == ImportRun.Source.UPLOAD else None
    with scope(tenant=tenant), _binary(file, limit) as stream:
        size = _size(stream)
        described = {"filename": name[:255], "size": size, "started_by": started_by}
        if limit is not None and size > limit:
            reason = f"ファイルが大きすぎます（上限 {limit / 1024 / 1024:,.0f} MB）。"
            return _counted(
                runs.refuse(
                    tenant, kind, reason, now=now, source=source, queued=queued, **described
                )
            )
        not_csv = sniff(stream)
        if not_csv is not None:
            return _counted(
                runs.refuse(
                    tenant, kind, not_csv, now=now, source=source, queued=queued, **described
                )
            )
        info = inspect_file(stream)
        with runs.import_lock(tenant) as lock_held:
            run = runs.start_run(
                tenant,
                kind,
                info,
                filename=name[:255],
                started_by=started_by,
                source=source,
                now=now,
                lock_held=lock_held,
                queued=queued,
                again=again,
            )
            if run.status != ImportRun.Status.RUNNING:
                # Refused while another import runs, the same file as the last import's,
                # or a double click's earlier run (already counted).
                if run.status == ImportRun.Status.REJECTED or run.same_as_id:
                    metrics.count_import(kind, run.status)
                return run
            started = time.monotonic()
            try:
                _import(run, importer, stream, info, on_progress)
            except BaseException:
                runs.fail_run(run)
                metrics.count_import(kind, ImportRun.Status.FAILED)
                raise
    rows = run.added + run.changed + run.unchanged
    metrics.count_import(kind, run.status, rows, time.monotonic() - started)
    return run


def _counted(run: ImportRun) -> ImportRun:
    metrics.count_import(run.kind, run.status)
    return run


def _import(run: ImportRun, importer: Importer, stream, info: FileInfo, on_progress) -> None:
    report = Report(ImportRun.REPORT_LIMIT)
    with Staging(importer, f"exchange_staging_{run.pk}") as staging:
        # Phase 1: read and check every row, without any lock; the valid rows go to the
        # staging table, so memory stays flat however long the file.
        if info.encoding is None:
            report.add(None, "", "", UNKNOWN_ENCODING)
        else:
            text = open_text(stream, info, on_progress)
            plain: list[PlainLineReader] = []

            def plain_lines(index: dict[str, int], width: int) -> PlainLineReader | None:
                reader = importer.plain_lines(index, width)
                plain.extend([reader] if reader is not None else [])
                return reader

            rows = read_rows(
                text,
                required=importer.required,
                optional=importer.optional,
                report=report,
                plain=plain_lines if staging.text else None,
            )
            parse = importer.parse
            with staging.writer() as write:
                for row in rows:
                    if isinstance(row, str):
                        write(row)  # a plain line, staged as it is
                        continue
                    staged = parse(row)
                    if staged is not None:
                        write(staged)
                        if plain:
                            plain[0].also(staged)
            # Every staged row's key known to differ from the others': no duplicates.
            if staging.count and not (plain and plain[0].distinct() == staging.count):
                staging.report_duplicates(report)

        # Phase 2: under the tenant's lock, check the rows against the ledger, then write
        # them all or nothing. On SQLite the lock is the database's write lock, taken when
        # the transaction begins (transaction_mode IMMEDIATE in settings).
        with transaction.atomic():
            Tenant.objects.select_for_update().get(pk=run.tenant_id)
            if not runs.still_running(run):
                run.refresh_from_db()  # another import found this one dead and failed it
                return
            target = importer.target(run.tenant_id)
            extra: dict[str, Any] = {"updated_at": timezone.now()}
            if importer.tracks_run:
                extra["import_run"] = run.pk
            written = None
            if staging.count and not report and fresh(staging.table, target):
                written = _insert_fresh(importer, staging, target, extra)
                probed = Probe(joined=written or 0, existing=0, differing=0)
            else:
                probed = probe(importer.model, staging.table, target, importer.fields)
            # A staged row fails a check exactly when the target's source cannot give it
            # its database key (a customer, a bill): if every row has one, none fails.
            if staging.count and probed.joined < staging.count:
                staging.report_checks(report, importer.checks(run.tenant_id))
            if report:
                runs.finish_run(run, ImportRun.Status.REJECTED, report)
                return
            if written is not None:
                run.added, run.changed = written, 0
            else:
                run.added, run.changed = merge(
                    importer.model, staging.table, target, importer.fields, extra, probed
                )
            run.unchanged = staging.count - run.added - run.changed
            runs.finish_run(run, ImportRun.Status.SUCCEEDED, report)
            if run.added or run.changed:
                # The set-based writes send no signals: members' cached cards are
                # redrawn because the import says so here.
                freshness.tenant_data_changed(run.tenant_id)
            if run.added + run.changed >= ANALYZE_AFTER:
                transaction.on_commit(lambda: analyze(importer.model))
            if importer.tracks_run and (run.added or run.changed):
                # Robust: the import is committed and done, whatever happens here. If the
                # broker is away (or this process dies first), the sweep queues the
                # emails a few minutes later (``tasks.sweep_missed_notifications``).
                transaction.on_commit(lambda: notify_new_bills.delay(run.pk), robust=True)


class _SomeRowsLeftOut(Exception):
    """Raised inside the savepoint of ``_insert_fresh`` to roll its INSERT back."""


def _insert_fresh(importer: Importer, staging: Staging, target, extra) -> int | None:
    """Insert every staged row at once when none can be there yet (``merge.fresh``).

    Fewer rows inserted than staged: some row has no key (a number not in the ledger),
    so the import is rejected; the INSERT is rolled back to its savepoint and None says
    so, with the number it inserted left for the checks to explain."""
    try:
        with transaction.atomic():
            written = insert_fresh(importer.model, staging.table, target, importer.fields, extra)
            if written < staging.count:
                raise _SomeRowsLeftOut(written)
    except _SomeRowsLeftOut:
        return None
    return written


def _name_of(file) -> str:
    if isinstance(file, str | os.PathLike):
        return os.path.basename(os.fspath(file))
    name = getattr(file, "name", "")
    return os.path.basename(name) if isinstance(name, str) else ""


def _size(stream) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


@contextmanager
def _binary(file, limit: int | None) -> Iterator:
    """The file as a seekable binary stream (an upload is left open for its owner).

    A stream that cannot seek is copied, at most ``limit`` + 1 bytes of it: enough to
    tell that it is too large.
    """
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as stream:
            yield stream
    elif getattr(file, "seekable", lambda: False)():
        yield file
    else:
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            if limit is None:
                shutil.copyfileobj(file, spool)
            else:
                left = limit + 1
                while left and (chunk := file.read(min(left, 1 << 20))):
                    spool.write(chunk)
                    left -= len(chunk)
            yield spool


# Why an upload is not imported, in Japanese, saying what to do (``str(exc)``).
UploadRefused = runs.UploadRefused

NOT_QUEUED = (
    "取り込みを始められませんでした（処理の順番待ちに登録できません）。何も変更していません。"
    "しばらくしてから、もう一度取り込んでください。"
)
FILE_MISSING = (
    "アップロードされたファイルが見つからないため、取り込めませんでした。何も変更していません。"
    "もう一度取り込んでください。続くときはシステムの管理者に連絡してください。"
)


def do_upload_import(
    tenant: Tenant, kind: str, upload, *, actor, source: str, now: datetime | None = None
) -> tuple[ImportRun, bool]:
    """Take a file uploaded in the staff console by ``actor`` for the worker to import;
    returns its run, "queued" at first, and whether it is a new one.

    Refused with ``UploadRefused``, and nothing stored, when the file is larger than
    ``settings.IMPORT_MAX_BYTES``, is not text, or while another import of the tenant
    runs or waits. The same file again while the first runs or soon after it succeeded
    (a double click) gets the first run back, as ``do_import_file`` answers it.

    Otherwise the file is saved in ``settings.IMPORT_UPLOAD_DIR`` (which the web and the
    worker must share), the run is created "queued" with the audit row
    ``staff_uploaded_import``, and after commit ``import_upload`` is queued: it runs
    ``do_import_file`` and removes the file, whatever the outcome. Without a queue
    (no REDIS_URL) that happens before this returns.
    """
    if kind not in IMPORTERS:
        raise ValueError(f"Unknown exchange-v1 kind: {kind!r}")
    now = now or timezone.now()
    limit = settings.IMPORT_MAX_BYTES
    if upload.size > limit:
        raise UploadRefused(
            f"ファイルが大きすぎます（上限 {limit / 1024 / 1024:,.0f} MB）。"
            "請求システムから月ごとなどに分けて書き出し、一つずつ取り込んでください。"
        )
    not_csv = sniff(upload)
    if not_csv is not None:
        if not_csv == NOT_TEXT:
            not_csv += "請求システムから書き出した CSV ファイルを選んでください。"
        raise UploadRefused(not_csv)
    directory = Path(settings.IMPORT_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.csv"
    path = directory / stored
    digest = hashlib.sha256()
    with open(path, "xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    filename = _CONTROL_CHARACTERS.sub("", os.path.basename(upload.name or ""))[:255]
    try:
        with scope(tenant=tenant), transaction.atomic():
            run, new = runs.queue_upload(
                tenant,
                kind,
                filename=filename,
                size=upload.size,
                sha256=digest.hexdigest(),
                started_by=actor,
                now=now,
            )
            if new:
                record(
                    tenant,
                    "staff_uploaded_import",
                    actor=actor,
                    now=now,
                    source=source,
                    run=run.pk,
                    kind=kind,
                )
                transaction.on_commit(lambda: _queue_import(run, stored))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if not new:
        path.unlink(missing_ok=True)
    return run, new


# How long an upload's page waits for the queue (Redis) at most, as a page queueing mail.
QUEUE_TIMEOUT_SECONDS = emails.QUEUE_TIMEOUT_SECONDS


def _queue_import(run: ImportRun, stored: str) -> None:
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            import_upload.apply_async((run.pk, stored))  # no queue: the page waits
        else:
            # A connection of its own, with short timeouts and no retries (the app's
            # options are also the worker's, which must keep retrying).
            options = {
                "socket_timeout": QUEUE_TIMEOUT_SECONDS,
                "socket_connect_timeout": QUEUE_TIMEOUT_SECONDS,
                "max_retries": 0,
            }
            app = import_upload.app
            with app.connection_for_write(
                connect_timeout=QUEUE_TIMEOUT_SECONDS, transport_options=options
            ) as connection:
                import_upload.apply_async((run.pk, stored), connection=connection, retry=False)
    except Exception:
        # The broker is away (or, inline, the import failed and its run says so): the
        # run must not wait for ever, nor its file stay.
        log.exception("import run %s could not be queued or failed", run.pk)
        with scope(tenant=run.tenant):
            runs.drop_queued(run, NOT_QUEUED)
        (Path(settings.IMPORT_UPLOAD_DIR) / stored).unlink(missing_ok=True)


@shared_task(acks_late=True)
def import_upload(run_id: int, stored: str) -> int:
    """``do_import_upload`` on the queue. Declared beside it, as ``notify_new_bills``:
    ``do_upload_import`` queues it."""
    return do_import_upload(run_id, stored).pk


def do_import_upload(run_id: int, stored: str, *, now: datetime | None = None) -> ImportRun:
    """Import the uploaded file ``stored`` (in ``settings.IMPORT_UPLOAD_DIR``) into its
    "queued" run with ``do_import_file``, recording how far it has read; then remove the
    file, whatever the outcome. A run that is no longer queued (a task delivered twice)
    is left as it is."""
    path = Path(settings.IMPORT_UPLOAD_DIR) / os.path.basename(stored)
    progress: runs.ProgressRecorder | None = None
    try:
        with scopes_disabled():
            run = ImportRun.objects.select_related("tenant", "started_by").get(pk=run_id)
        if run.status != ImportRun.Status.QUEUED:
            return run
        tenant = run.tenant
        if not path.is_file():
            with scope(tenant=tenant):
                runs.drop_queued(run, FILE_MISSING)
            return run
        progress = runs.ProgressRecorder(run)
        try:
            return do_import_file(
                tenant,
                run.kind,
                path,
                filename=run.filename,
                started_by=run.started_by,
                source=ImportRun.Source.UPLOAD,
                on_progress=progress,
                queued=run,
                now=now,
            )
        except BaseException:
            with scope(tenant=tenant):
                runs.drop_queued(run, runs.UNEXPECTED)  # if it failed before it started
            raise
    finally:
        path.unlink(missing_ok=True)
        if progress is not None:
            progress.close()


@shared_task(acks_late=True)
def notify_new_bills(run_id: int) -> int:
    """``do_notify_new_bills`` on the queue. Declared beside it rather than in
    ``tasks.py``, which calls the actions: the import queues it, and the module it is in
    then needs nothing from above."""
    return do_notify_new_bills(run_id)


def do_notify_new_bills(run_id: int, *, now=None) -> int:
    """Write the emails for one import into the outbox, once, in the transaction that
    claims the run, and after commit queue them in batches, each batch's members' home
    cards drawn before its emails are sent (``cards_then_emails``), and the same members'
    push messages (``devices.push.queue_push``); returns how many emails (0 when they are written
    already, being written by another process, or too late: see
    ``notifications.SEND_WITHIN``).
    """
    now = now or timezone.now()
    with scopes_disabled():
        tenant = ImportRun.objects.select_related("tenant").get(pk=run_id).tenant
    with scope(tenant=tenant), transaction.atomic():
        # The claim (notified_at) commits with the emails' outbox rows or not at all: if
        # the process dies halfway, the run is unclaimed again and the sweep writes its
        # emails again, with none of the first try's rows left. While one process writes,
        # the row stays locked and another (a sweep, the import's own task) skips it
        # rather than waiting. On SQLite, which lets one writer in at a time, it waits
        # for the first to commit and finds the run claimed (or gives up after the busy
        # timeout, and the run is still claimed by the first or left to the sweep).
        run = (
            ImportRun.objects.select_for_update(skip_locked=True)
            .filter(pk=run_id, notified_at__isnull=True)
            .first()
        )
        if run is None:
            return 0
        if run.finished_at is None or run.finished_at < now - notifications.SEND_WITHIN:
            log.warning(
                "import run %s ended too long ago: its new-bill emails are not sent", run.pk
            )
            return 0
        run.notified_at = now
        run.save(update_fields=["notified_at"])
        # Closed before the transaction ends, however it ends: on PostgreSQL this is a
        # server-side cursor, and closing it after a rollback would fail in whatever
        # transaction the connection is in by then.
        today = timezone.localdate(now)
        addresses = notifications.recipients(run, today).iterator(chunk_size=2000)
        # Each email's member and their language (User.language), in the order of the rows.
        members: list[tuple[int, str]] = []

        def noted(recipients):
            for member_id, to, language in recipients:
                members.append((member_id, language))
                yield member_id, to, language

        def wake(ids: list[int]) -> None:
            # Each batch's cards drawn, then its emails sent: one task per batch.
            batches = zip(emails.outbox_batches(members), emails.outbox_batches(ids), strict=True)
            emails.queue_batches(
                cards_then_emails,
                [(tenant.pk, chunk, rows) for chunk, rows in batches],
                len(ids),
            )

        with closing(addresses):
            count = emails.send_many(
                "new_bill",
                noted(addresses),
                tenant,
                unsubscribe="new_bill",
                batch=notifications.new_bill_batch(run),
                wake=wake,
            )
        # The same members' browsers get the push message, once the claim has committed:
        # a push that cannot be queued is logged and lost, and never sends the emails a
        # second time (the email is the notification that must arrive).
        transaction.on_commit(lambda: _push_new_bills(run, today, now), robust=True)
        return count


# Its result is not kept. Not retried: a batch whose cards could not be drawn has them
# drawn on the members' views; its emails are sent all the same.
@shared_task(acks_late=True, ignore_result=True)
def cards_then_emails(tenant_id: int, members: list, ids: list[int]) -> int:
    """One batch of new-bill emails: first the home cards of its ``members`` ((member id,
    ``User.language``)) are drawn and kept (``billing.warming``), so that the
    rush of first views after the emails reads them as a later view does; then the
    workers are woken for the batch's outbox rows ``ids``. Returns the fragments kept."""
    kept = 0
    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is not None:
        with scope(tenant=tenant):
            kept = warming.warm_home_quietly(tenant, [tuple(member) for member in members])
    emails.wake_workers(ids)
    return kept


def _push_new_bills(run: ImportRun, today, now) -> None:
    with scope(tenant=run.tenant):
        members = notifications.recipients(run, today).values_list("pk", flat=True)
        push.queue_push(run.tenant, members, push.new_bill_message(run.tenant), now=now)


def do_sweep_abandoned_runs(tenant: Tenant, *, now: datetime) -> int:
    """Mark failed the runs of ``tenant`` whose process is gone, and the uploads queued
    for longer than ``runs.STALE_AFTER``; returns how many.

    The next import does this too; the schedule does it so that staff do not see a
    killed import as "running" until someone imports again.
    """
    swept = 0
    with runs.import_lock(tenant) as held:
        if not held:
            return 0  # an import is running and will sweep on its own
        with transaction.atomic():
            Tenant.objects.select_for_update().get(pk=tenant.pk)
            running = ImportRun.objects.filter(tenant=tenant, status=ImportRun.Status.RUNNING)
            for run in running:
                if runs.is_dead(run, now):
                    runs.abandon(run)
                    swept += 1
            # An upload whose task was lost (a broker that lost its queue) waits no more.
            stale = ImportRun.objects.filter(
                tenant=tenant,
                status=ImportRun.Status.QUEUED,
                started_at__lt=now - runs.STALE_AFTER,
            )
            for run in stale:
                runs.drop_queued(run, runs.ABANDONED)
                swept += 1
    return swept


# The reports of the customer ledger quote residents' names and addresses.
REPORT_VALUES_KEPT = timedelta(days=90)


def do_forget_report_values(*, now=None) -> int:
    """Blank the quoted values of every report older than ``REPORT_VALUES_KEPT``, once;
    returns how many runs were changed. Across tenants: it goes by age only.

    A report line quotes the offending cell (``12行目 使用者名カナ「山田」: カナで入力して
    ください``), so the reports of the customer ledger hold residents' names and addresses.
    That helps staff fix the file on the day; months later it is only personal data kept for
    no one. After ``REPORT_VALUES_KEPT`` the values are blanked; the line, column and reason
    stay, and so do the run's counts, file name and SHA-256.
    """
    now = now or timezone.now()
    changed = 0
    with scopes_disabled():
        old = ImportRun.objects.filter(
            finished_at__lt=now - REPORT_VALUES_KEPT,
            report_values_forgotten_at__isnull=True,
            rejected__gt=0,
        ).order_by("pk")
        for run in old.iterator(chunk_size=100):
            run.report = [problem | {"value": ""} for problem in run.report]
            run.report_values_forgotten_at = now
            run.save(update_fields=["report", "report_values_forgotten_at"])
            changed += 1
    return changed

"""The life of an ``ImportRun``: one at a time per tenant, and never left "running" by
a process that is gone.

A run is created "running", in its own transaction, before the file is read; its end
(succeeded, rejected) is written in the transaction that writes the rows, so a run is
"succeeded" exactly when its rows are in. If the importing process dies (kill -9, a
server restart, a PostgreSQL restart), that transaction is rolled back and the run is
left "running". The next import for the tenant finds such runs and marks them failed
before it starts. Whether a run's process is still at work is known at once:

- PostgreSQL: the importing connection holds the tenant's *import lock*, a session-level
  advisory lock, from before its run is created until it ends. PostgreSQL releases it
  when that connection ends, however it ends (within a second of the client's death,
  see ``import_lock``); so if the lock is free, every "running" run of the tenant is
  dead, whichever machine ran it.
- SQLite (one machine by nature): each run records its host and process id; a run of
  this host whose process no longer exists is dead.

A run whose process cannot be checked (recorded on another host, or before runs recorded
their process) is taken for dead after ``STALE_AFTER``.

The writes here are steps of the actions ``do_import_file`` and
``do_sweep_abandoned_runs`` (``exchange/actions.py``), which alone call them: the run
row is the import's record, its status and report what staff see.
"""

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone

from waterportal.audit.actions import record
from waterportal.exchange.models import ImportRun
from waterportal.exchange.parsing import FileInfo, Report
from waterportal.tenants.models import Tenant

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=1)
# An upload of the same file (same tenant, kind and SHA-256) that succeeded this recently
# or is running is taken for a double click: it is not imported again.
DUPLICATE_WINDOW = timedelta(minutes=10)
# The import lock's first key ("WPEX"); the second is the tenant's id.
LOCK_SPACE = 0x57504558
# How long an import waits for the lock of a run whose process is known to be gone.
LOCK_GRACE = 15

ABANDONED = (
    "取り込みの処理が途中で止まりました（プロセスの強制終了、サーバーやデータベースの"
    "再起動など）。何も変更していません。もう一度実行してください。"
)
UNEXPECTED = "処理中に予期しないエラーが起きました。何も変更していません。"


def this_process() -> tuple[str, int]:
    return socket.gethostname()[:255], os.getpid()


@contextmanager
def import_lock(tenant: Tenant) -> Iterator[bool]:
    """Try to take the tenant's import lock for the block; yields whether it is held.

    On SQLite there is no such lock and this yields True: runs are told apart by their
    process instead (see the module docstring).
    """
    if connection.vendor != "postgresql":
        yield True
        return
    held = _try_lock(tenant)
    if not held and _a_run_of_a_dead_process(tenant):
        # Its server process may still be finishing the statement it was running when
        # the importer died; that takes a moment (see below), not an hour.
        deadline = time.monotonic() + LOCK_GRACE
        while not held and time.monotonic() < deadline:
            time.sleep(0.2)
            held = _try_lock(tenant)
    try:
        if held and getattr(connection, "pg_version", 0) >= 140000:
            # PostgreSQL otherwise notices that its client died only when the running
            # statement ends, which for a large import can be a while: with this it
            # checks every second, cancels, rolls back and frees the lock.
            with connection.cursor() as cursor:
                cursor.execute("SET client_connection_check_interval = 1000")
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET client_connection_check_interval")
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, tenant.pk])
            except DatabaseError:
                pass  # the connection is gone, and its lock with it


def _try_lock(tenant: Tenant) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, tenant.pk])
        return cursor.fetchone()[0]


def _a_run_of_a_dead_process(tenant: Tenant) -> bool:
    running = ImportRun.objects.filter(tenant=tenant, status=ImportRun.Status.RUNNING)
    host, _ = this_process()
    return any(
        run.pid is not None and not _process_exists(run.pid) for run in running.filter(host=host)
    )


def start_run(
    tenant: Tenant,
    kind: str,
    info: FileInfo,
    *,
    filename: str,
    started_by,
    source: str,
    now: datetime,
    lock_held: bool,
    queued: ImportRun | None = None,
    again: bool = False,
) -> ImportRun:
    """A new "running" run, or the answer without importing.

    Under the tenant row's lock, so that two imports starting together are taken one
    after the other: runs whose process is gone are marked failed first; then an upload
    of a file just imported gets that earlier run back, and an import while another runs
    gets a new run refused (status rejected) saying so.

    ``queued``: the "queued" run of an upload (``queue_upload``), which becomes this
    run instead of a new one; whatever the answer, it ends here (or has ended already,
    then it is returned as it is).

    A file identical to the one the tenant's last succeeded import of the same kind read
    ends at once, succeeded with every row unchanged (``same_as``): its rows are in, and
    only an import of that kind writes them (customers, bills and payments have no other
    writer, and none is ever deleted). ``again`` reads it all the same: for a file whose
    reading has changed since (a fix to an importer), which only a full pass applies.
    """
    run = ImportRun(
        tenant=tenant,
        kind=kind,
        started_by=started_by,
        source=source,
        started_at=now,
        filename=filename,
    )
    if queued is not None:
        run = queued
    run.size, run.sha256, run.encoding = info.size, info.sha256, info.label
    run.host, run.pid = this_process()
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=tenant.pk)
        if queued is not None and not _still_queued(queued):
            queued.refresh_from_db()
            return queued
        running = ImportRun.objects.filter(tenant=tenant, status=ImportRun.Status.RUNNING)
        alive = []
        for other in running.order_by("started_at"):
            if lock_held and is_dead(other, now):
                abandon(other)
            else:
                alive.append(other)
        if source == ImportRun.Source.UPLOAD:
            twin = _twin(tenant, kind, info.sha256, now, apart_from=run.pk)
            if twin is not None and twin.status == ImportRun.Status.SUCCEEDED:
                if queued is None:
                    return twin
                _save(run, ImportRun.Status.RUNNING)
                finish_run(run, ImportRun.Status.REJECTED, _one_problem(_done_already(twin)))
                return run
            if twin is not None:
                _save(run, ImportRun.Status.RUNNING)
                finish_run(run, ImportRun.Status.REJECTED, _one_problem(_same_file(twin)))
                return run
        if alive or not lock_held:
            _save(run, ImportRun.Status.RUNNING)
            reason = _busy(alive[0] if alive else None)
            finish_run(run, ImportRun.Status.REJECTED, _one_problem(reason))
            return run
        # A file that cannot be decoded is read, and rejected with its report.
        known = not again and info.encoding is not None and info.sha256
        read = _read_last(tenant, kind, info.sha256, apart_from=run.pk) if known else None
        if read is not None:
            run.same_as_id = read.same_as_id or read.pk
            _save(run, ImportRun.Status.RUNNING)
            run.unchanged = read.added + read.changed + read.unchanged
            finish_run(run, ImportRun.Status.SUCCEEDED, Report(ImportRun.REPORT_LIMIT))
            return run
        _save(run, ImportRun.Status.RUNNING)
    return run


def _read_last(tenant: Tenant, kind: str, sha256: str, *, apart_from: int) -> ImportRun | None:
    """The succeeded run of ``kind`` that read the file of ``sha256``, if no other file
    of the kind can have been written after it; else None (the file is read in full).

    "After" by both orders a run has, since neither alone is sure: ``finished_at`` is
    the clock of whichever machine ran it (one set ahead, or stepped back, misorders
    it), and the id is given when a run is created (a console upload's while it waits
    in the queue, so a command's import can start and end in the meantime). A file
    taken for the last one only when both agree."""
    succeeded = ImportRun.objects.filter(
        tenant=tenant, kind=kind, status=ImportRun.Status.SUCCEEDED
    ).exclude(pk=apart_from)
    same = succeeded.filter(sha256=sha256).order_by("-finished_at", "-pk").first()
    if same is None:
        return None
    later = Q(finished_at__gt=same.finished_at) | Q(pk__gt=same.pk)
    return None if succeeded.exclude(sha256=sha256).filter(later).exists() else same


def _save(run: ImportRun, status: str) -> None:
    run.status = status
    if run.pk is None:
        run.save()
    else:
        run.save(update_fields=["status", "size", "sha256", "encoding", "host", "pid", "same_as"])


def _still_queued(run: ImportRun) -> bool:
    return (
        ImportRun.objects.select_for_update()
        .filter(pk=run.pk, status=ImportRun.Status.QUEUED)
        .exists()
    )


def queue_upload(
    tenant: Tenant, kind: str, *, filename: str, size: int, sha256: str, started_by, now: datetime
) -> tuple[ImportRun, bool]:
    """The "queued" run of an upload from the staff console, shown at once while it
    waits for the worker; or, for a file that is an earlier run's twin (a double click),
    that run. Returns the run and whether it is new.

    Raises ``UploadRefused`` while another import of the tenant runs or waits. Under the
    tenant row's lock, as ``start_run``, so that two clicks are taken one after the
    other. The worker checks all this again when it starts (``start_run``).
    """
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=tenant.pk)
        twin = _twin(tenant, kind, sha256, now)
        if twin is not None:
            return twin, False
        busy = (
            ImportRun.objects.filter(tenant=tenant)
            .filter(
                Q(status=ImportRun.Status.RUNNING)
                | Q(status=ImportRun.Status.QUEUED, started_at__gte=now - STALE_AFTER)
            )
            .order_by("started_at")
            .first()
        )
        if busy is not None:
            raise UploadRefused(_busy(busy))
        run = ImportRun.objects.create(
            tenant=tenant,
            kind=kind,
            started_by=started_by,
            source=ImportRun.Source.UPLOAD,
            started_at=now,
            filename=filename,
            size=size,
            sha256=sha256,
            status=ImportRun.Status.QUEUED,
        )
    return run, True


class UploadRefused(Exception):
    """An upload that is not imported; ``str()`` says why and what to do, in Japanese."""


class ProgressRecorder:
    """``on_progress`` of an upload's import: how far its file has been read, for the
    console's progress bar, written on a database connection of its own.

    Not on the import's connection: on PostgreSQL it is busy with one COPY for the whole
    read, and whatever it writes is seen by the page only when its transaction ends.
    Best effort: a progress that cannot be written is skipped, never the import's end.
    """

    def __init__(self, run: ImportRun) -> None:
        self._run_id = run.pk
        self._db: BaseDatabaseWrapper | None = None

    def __call__(self, bytes_read: int, total: int) -> None:
        table = connection.ops.quote_name(ImportRun._meta.db_table)
        try:
            if self._db is None:
                self._db = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._db.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET bytes_read = %s WHERE id = %s",  # noqa: S608
                    [bytes_read, self._run_id],
                )
        except DatabaseError:
            log.debug("import run %s: progress not recorded", self._run_id, exc_info=True)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def drop_queued(run: ImportRun, reason: str) -> None:
    """End a "queued" run that could not start (its task could not be queued, its file
    is missing): failed, with ``reason``; nothing was read."""
    with transaction.atomic():
        if _still_queued(run):
            finish_run(run, ImportRun.Status.FAILED, _one_problem(reason))


def refuse(
    tenant: Tenant,
    kind: str,
    reason: str,
    *,
    now: datetime,
    queued: ImportRun | None = None,
    **described,
) -> ImportRun:
    """Record a file refused before it was read (too large, not text) as a rejected run
    (``queued``: the upload's queued run, which ends so)."""
    with transaction.atomic():
        if queued is not None:
            if _still_queued(queued):
                queued.size = described["size"]
                queued.save(update_fields=["size"])
                finish_run(queued, ImportRun.Status.REJECTED, _one_problem(reason))
            else:
                queued.refresh_from_db()
            return queued
        run = ImportRun(tenant=tenant, kind=kind, started_at=now, **described)
        run.save()
        finish_run(run, ImportRun.Status.REJECTED, _one_problem(reason))
    return run


def finish_run(run: ImportRun, status: str, report: Report) -> None:
    """Write the run's end and its audit row (in the caller's transaction)."""
    run.status = status
    run.finished_at = timezone.now()
    run.rejected = report.count
    run.report = report.as_json()
    run.save(
        update_fields=[
            "status",
            "finished_at",
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
        **({"same_as": run.same_as_id} if run.same_as_id else {}),
    )


def still_running(run: ImportRun) -> bool:
    """Whether ``run`` is still "running" (not marked failed by another import); locks
    its row until the end of the caller's transaction."""
    return (
        ImportRun.objects.select_for_update()
        .filter(pk=run.pk, status=ImportRun.Status.RUNNING)
        .exists()
    )


def fail_run(run: ImportRun) -> None:
    """Mark ``run`` failed after an error, unless it has already ended.

    Best effort: after a lost connection (a database restart) it is tried once on a new
    connection; if the database is still away, the run stays "running" and the next
    import for the tenant marks it failed.
    """
    run.added = run.changed = run.unchanged = 0
    if (
        not connection.in_atomic_block
        and connection.connection is not None
        and connection.errors_occurred
        and not connection.is_usable()
    ):
        connection.close()
    try:
        with transaction.atomic():
            if still_running(run):
                finish_run(run, ImportRun.Status.FAILED, _one_problem(UNEXPECTED))
    except DatabaseError:
        log.exception("import run %s could not be marked failed", run.pk)


def is_dead(run: ImportRun, now: datetime) -> bool:
    if connection.vendor == "postgresql":
        return True  # the caller holds the import lock, so the run's connection is gone
    host, _ = this_process()
    if run.pid and run.host == host:
        return not _process_exists(run.pid)
    return run.started_at < now - STALE_AFTER


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed process its parent has not yet reaped (a zombie) is gone for our purpose.
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def abandon(run: ImportRun) -> None:
    run.added = run.changed = run.unchanged = 0
    finish_run(run, ImportRun.Status.FAILED, _one_problem(ABANDONED))


def _twin(
    tenant: Tenant, kind: str, sha256: str, now: datetime, apart_from: int | None = None
) -> ImportRun | None:
    recently = Q(status=ImportRun.Status.SUCCEEDED, finished_at__gte=now - DUPLICATE_WINDOW)
    at_work = Q(status__in=[ImportRun.Status.RUNNING, ImportRun.Status.QUEUED])
    same = ImportRun.objects.filter(tenant=tenant, kind=kind, sha256=sha256)
    if apart_from is not None:
        same = same.exclude(pk=apart_from)
    return same.filter(recently | at_work).order_by("-started_at").first()


def _same_file(twin: ImportRun) -> str:
    started = timezone.localtime(twin.started_at)
    return (
        f"同じファイルの取り込み（#{twin.pk}、{started:%Y-%m-%d %H:%M} 開始）が実行中です。"
        "二重に送信されたため、こちらは取り込みませんでした。"
    )


def _done_already(twin: ImportRun) -> str:
    started = timezone.localtime(twin.started_at)
    return (
        f"同じファイルを取り込み済みです（#{twin.pk}、{started:%Y-%m-%d %H:%M} 開始）。"
        "二重に送信されたため、こちらは取り込みませんでした。"
    )


def _busy(other: ImportRun | None) -> str:
    if other is None:
        return "別の取り込みが実行中です。終わってから、もう一度実行してください。"
    started = timezone.localtime(other.started_at)
    return (
        f"別の取り込み（#{other.pk}、{started:%Y-%m-%d %H:%M} 開始）が実行中です。"
        "終わってから、もう一度実行してください。"
    )


def _one_problem(reason: str) -> Report:
    report = Report(ImportRun.REPORT_LIMIT)
    report.add(None, "", "", reason)
    return report

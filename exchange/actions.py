"""Importing exchange-v1 files: the one action behind ``import_data`` and staff uploads."""

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from billing import freshness
from exchange import runs
from exchange.importers import IMPORTERS, Importer
from exchange.importers.merge import ANALYZE_AFTER, analyze, merge
from exchange.importers.staging import Staging
from exchange.models import ImportRun
from exchange.parsing import (
    UNKNOWN_ENCODING,
    FileInfo,
    ProgressCallback,
    Report,
    inspect_file,
    open_text,
    read_rows,
    sniff,
)
from tenants.models import Tenant

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
    click) is answered with that earlier run. An unexpected error marks the run
    ``failed`` and is raised again; a killed process leaves its run "running" until the
    next import marks it failed (``exchange.runs``).
    ``on_progress(bytes_read, total_bytes)`` is called while the rows are read.
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
            return runs.refuse(tenant, kind, reason, now=now, source=source, **described)
        not_csv = sniff(stream)
        if not_csv is not None:
            return runs.refuse(tenant, kind, not_csv, now=now, source=source, **described)
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
            )
            if run.status != ImportRun.Status.RUNNING:
                return run
            try:
                _import(run, importer, stream, info, on_progress)
            except BaseException:
                runs.fail_run(run)
                raise
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
            rows = read_rows(
                text, required=importer.required, optional=importer.optional, report=report
            )
            parse = importer.parse
            with staging.writer() as write:
                for row in rows:
                    staged = parse(row)
                    if staged is not None:
                        write(staged)
            if staging.count:
                staging.report_duplicates(report)

        # Phase 2: under the tenant's lock, check the rows against the ledger, then write
        # them all or nothing. On SQLite the lock is the database's write lock, taken when
        # the transaction begins (transaction_mode IMMEDIATE in settings).
        with transaction.atomic():
            Tenant.objects.select_for_update().get(pk=run.tenant_id)
            if not runs.still_running(run):
                run.refresh_from_db()  # another import found this one dead and failed it
                return
            if staging.count:
                staging.report_checks(report, importer.checks(run.tenant_id))
            if report:
                runs.finish_run(run, ImportRun.Status.REJECTED, report)
                return
            extra: dict[str, Any] = {"updated_at": timezone.now()}
            if importer.tracks_run:
                extra["import_run"] = run.pk
            run.added, run.changed = merge(
                importer.model,
                staging.table,
                importer.target(run.tenant_id),
                importer.fields,
                extra,
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
                from billing.tasks import notify_new_bills

                # Robust: the import is committed and done, whatever happens here. If the
                # broker is away (or this process dies first), billing's sweep queues the
                # emails a few minutes later.
                transaction.on_commit(lambda: notify_new_bills.delay(run.pk), robust=True)


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

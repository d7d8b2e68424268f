import signal
import sys
import threading
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from waterportal.audit.actions import do_record_command
from waterportal.exchange.actions import do_import_file
from waterportal.exchange.importers import IMPORTERS
from waterportal.exchange.models import ImportRun, format_problem
from waterportal.tenants.models import Tenant

REPORT_LINES_SHOWN = 50


class Command(BaseCommand):
    help = (
        "料金システムの連携ファイル（exchange-v1）を取り込みます。"
        "例: manage.py import_data customers customers.csv --tenant oumu"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=list(IMPORTERS), help="customers, bills または payments"
        )
        parser.add_argument("file", help="CSV ファイル（UTF-8 または Shift_JIS）")
        parser.add_argument("--tenant", required=True, help="自治体の識別子（例: oumu）")
        parser.add_argument(
            "--again",
            action="store_true",
            help=(
                "前回の取り込みと同じファイルでも、すべての行を読み直します"
                "（取り込みの処理を直したあとに使います）"
            ),
        )

    def handle(self, *args, **opts):
        tenant = Tenant.objects.filter(slug=opts["tenant"].strip().lower()).first()
        if tenant is None:
            raise CommandError(f"自治体「{opts['tenant']}」が見つかりません。")
        try:
            source = open(opts["file"], "rb")  # closed by the with block below
        except OSError as exc:
            raise CommandError(f"ファイルを開けません: {exc.strerror}") from exc

        try:
            with source, _sigterm_as_interrupt(), self._progress() as progress:
                run = do_import_file(
                    tenant, opts["kind"], source, on_progress=progress, again=opts["again"]
                )
        except KeyboardInterrupt:
            raise CommandError("中断しました（何も変更していません）。", returncode=130) from None
        # Who ran it; what it did is the run's own row (``import``). Not the file's name,
        # which may say anything.
        do_record_command(
            tenant,
            "import_data",
            kind=opts["kind"],
            run=run.pk,
            **({"again": True} if opts["again"] else {}),
        )

        if run.status != ImportRun.Status.SUCCEEDED:
            for problem in run.report[:REPORT_LINES_SHOWN]:
                self.stdout.write(format_problem(problem))
            if len(run.report) > REPORT_LINES_SHOWN:
                more = run.rejected - REPORT_LINES_SHOWN
                self.stdout.write(
                    f"…ほか {more:,}件（すべての問題は取り込み #{run.pk} の報告にあります）"
                )
        self.stdout.write(run.summary)
        if run.status != ImportRun.Status.SUCCEEDED:
            sys.exit(1)

    def _progress(self):
        """A progress bar on a terminal; nothing when the output goes to a file or a pipe."""
        return _Bar() if self.stdout.isatty() else _NoBar()


@contextmanager
def _sigterm_as_interrupt():
    """SIGTERM (kill, a service stop, a deploy) ends an import as Ctrl-C does: the
    database cancels its statement, its transaction is rolled back and its run is marked
    failed at once. (SIGKILL cannot be caught: the next import marks that run failed.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class _NoBar:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class _Bar:
    def __enter__(self):
        self._bar = None
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = tqdm(total=total, unit="B", unit_scale=True, desc="読み込み", leave=False)
        self._bar.update(done - self._bar.n)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.close()
        return False

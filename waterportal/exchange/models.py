from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class ImportRun(models.Model):
    """One exchange-v1 file handed to the importer, by command or by upload, and its outcome.

    ``report`` lists the problems found ({line, column, value, reason}); at most
    ``REPORT_LIMIT`` of them, followed by one line saying how many more there were.
    ``filename`` is what the file was called where it came from: shown, never opened.
    """

    REPORT_LIMIT = 1000

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", "使用者台帳"
        BILLS = "bills", "検針・料金"
        PAYMENTS = "payments", "収納"

    class Source(models.TextChoices):
        COMMAND = "command", "コマンド"
        UPLOAD = "upload", "アップロード"

    class Status(models.TextChoices):
        # An upload from the staff console waits for the worker (exchange.actions.import_upload).
        QUEUED = "queued", "待機中"
        RUNNING = "running", "実行中"
        SUCCEEDED = "succeeded", "完了"
        REJECTED = "rejected", "取り込み中止"
        FAILED = "failed", "異常終了"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("種類", max_length=20, choices=Kind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField("経路", max_length=20, choices=Source.choices)
    started_at = models.DateTimeField("開始日時")
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    filename = models.CharField("ファイル名", max_length=255, blank=True, help_text="記録のみ")
    size = models.BigIntegerField("サイズ（バイト）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    encoding = models.CharField("文字コード", max_length=20, blank=True)
    added = models.PositiveIntegerField("追加", default=0)
    changed = models.PositiveIntegerField("変更", default=0)
    unchanged = models.PositiveIntegerField("変更なし", default=0)
    rejected = models.PositiveIntegerField(
        "エラー", default=0, help_text="見つかった問題の数（報告に載るのは最初の1,000件まで）"
    )
    # How far the file has been read, for the console's progress bar (of ``size``).
    bytes_read = models.PositiveBigIntegerField("読み込んだバイト数", default=0)
    status = models.CharField("状態", max_length=20, choices=Status.choices, default=Status.RUNNING)
    report = models.JSONField("報告", default=list, blank=True)
    notified_at = models.DateTimeField("お知らせメール送信日時", null=True, blank=True)
    # When the cell values quoted in ``report`` were blanked (exchange.actions.do_forget_report_values).
    report_values_forgotten_at = models.DateTimeField(
        "報告の値を消去した日時", null=True, blank=True
    )
    # Which process runs (or ran) the import, so that a run left "running" by a process
    # that was killed can be told from one still at work (waterportal.exchange.runs).
    host = models.CharField("ホスト", max_length=255, blank=True)
    pid = models.PositiveIntegerField("プロセスID", null=True, blank=True)
    # A file identical to the one the town's last succeeded import of this kind read: its
    # rows are already in, so it was not read again (``runs.start_run``); that run.
    same_as = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="同じファイルの取り込み",
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "取り込み"
        verbose_name_plural = "取り込み"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.status}"

    @property
    def summary(self) -> str:
        """One line for the operator: what happened, and the counts."""
        counts = (
            f"追加 {self.added:,}件 / 変更 {self.changed:,}件 / "
            f"変更なし {self.unchanged:,}件 / エラー {self.rejected:,}件"
        )
        name = self.filename or self.get_kind_display()
        if self.status == self.Status.SUCCEEDED:
            note = "（変更はありません）" if not (self.added or self.changed) else ""
            if self.same_as_id:
                note = f"（取り込み #{self.same_as_id} と同じファイルのため、読み直していません）"
            return f"取り込みました {name}: {counts}{note}"
        if self.status == self.Status.REJECTED:
            return f"取り込みませんでした（何も変更していません） {name}: {counts}"
        if self.status == self.Status.FAILED:
            return f"異常終了しました（何も変更していません） {name}: {counts}"
        if self.status == self.Status.QUEUED:
            return f"待機中 {name}"
        return f"実行中 {name}"

    def report_lines(self, limit: int | None = None) -> list[str]:
        """The report as lines of text, e.g. ``12行目 使用水量「30」: …``."""
        return [format_problem(p) for p in self.report[:limit]]


def format_problem(problem: dict) -> str:
    where = f"{problem['line']}行目" if problem.get("line") else "ファイル"
    column = problem.get("column") or ""
    value = problem.get("value")
    if column and value:
        where += f" {column}「{value}」"
    elif column:
        where += f" {column}"
    return f"{where}: {problem['reason']}"

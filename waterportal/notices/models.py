"""Notices (お知らせ) a town's staff write for its residents: the categories, the
notices and their history, the contracts a notice is for, what each member has read, and
the outbox of the important notices' emails.

Who sees a notice is one query, ``Notice.objects.visible_to(member, now)`` (and
``public(now)`` for people who are not members): every page, the home page's block,
the feed and the emails use it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from waterportal.contracts.models import Link

# Every town starts with these (a post_save receiver for new towns, migration 0002 for
# the towns that existed before notices); staff may add their own.
DEFAULT_CATEGORIES = ("断水・濁水", "工事", "料金", "検針", "災害", "その他")


class NoticeCategory(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    name = models.CharField("分類", max_length=30)
    position = models.PositiveSmallIntegerField("表示順", default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "お知らせの分類"
        verbose_name_plural = "お知らせの分類"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="noticecategory_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


def active_links(now):
    """The links that let a member see a contract at ``now``: the one rule for "the
    members of a contract", for the pages (``visible_to``) and the emails alike."""
    return Link.objects.filter(revoked_at__isnull=True, active_from__lte=timezone.localdate(now))


def targets_of(member, now) -> "models.QuerySet[NoticeTarget]":
    """The notice targets naming a contract ``member`` has an active link to at ``now``:
    which notices for chosen contracts are theirs. The one rule for it, used by the
    query (``for_member``) and by the kept list's filter (``notices.live.member_view``)."""
    return NoticeTarget.objects.filter(
        customer_id__in=active_links(now).filter(member_id=member.pk).values("customer_id")
    )


class NoticeQuerySet(models.QuerySet["Notice"]):
    def live(self, now) -> "NoticeQuerySet":
        """Published, started, not yet ended: what someone may see at ``now``."""
        return self.filter(status=Notice.Status.PUBLISHED, starts_at__lte=now).filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        )

    def public(self, now) -> "NoticeQuerySet":
        """The live notices for everyone, members or not (the login page, the feed)."""
        return self.live(now).filter(audience=Notice.Audience.PUBLIC)

    def visible_to(self, member, now) -> "NoticeQuerySet":
        """The live notices of ``member``'s town that are for them: for everyone, for
        every member, or for a contract they have an active link to."""
        return self.live(now).for_member(member, now)

    def for_member(self, member, now) -> "NoticeQuerySet":
        """The notices of ``member``'s town whose audience takes them in, live or not."""
        return self.filter(tenant_id=member.tenant_id).filter(
            Q(audience__in=Notice.EVERY_MEMBER)
            | Q(
                audience=Notice.Audience.CONTRACTS,
                pk__in=targets_of(member, now).values("notice_id"),
            )
        )

    def gone(self, now) -> "NoticeQuerySet":
        """Notices that were shown and are no longer: withdrawn, or past their end. A link
        to one (from an email, a bookmark) says so instead of "not found"."""
        return self.filter(starts_at__lte=now).filter(
            Q(status=Notice.Status.WITHDRAWN)
            | Q(status=Notice.Status.PUBLISHED, ends_at__isnull=False, ends_at__lte=now)
        )

    def newest_first(self) -> "NoticeQuerySet":
        return self.order_by("-starts_at", "-pk")


NoticeManager = models.Manager.from_queryset(NoticeQuerySet)


class Notice(models.Model):
    class Audience(models.TextChoices):
        PUBLIC = "public", "どなたでも（ログイン画面にも表示）"
        MEMBERS = "members", "すべての会員"
        CONTRACTS = "contracts", "選んだ契約の会員"

    # The audiences whose notices every member of the town sees; a notice for chosen
    # contracts only the members of those (``targets_of``).
    EVERY_MEMBER = (Audience.PUBLIC, Audience.MEMBERS)

    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        PUBLISHED = "published", "公開"
        WITHDRAWN = "withdrawn", "取り下げ"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    title = models.CharField("タイトル", max_length=100)
    body = models.TextField("本文", max_length=10_000)
    category = models.ForeignKey(
        NoticeCategory, on_delete=models.PROTECT, related_name="notices", verbose_name="分類"
    )
    important = models.BooleanField("重要", default=False)
    audience = models.CharField(
        "対象", max_length=10, choices=Audience.choices, default=Audience.MEMBERS
    )
    starts_at = models.DateTimeField("公開開始")
    ends_at = models.DateTimeField("公開終了", null=True, blank=True)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("公開した日時", null=True, blank=True)
    withdrawn_at = models.DateTimeField("取り下げた日時", null=True, blank=True)
    # When the important notice's emails were all queued (``notices.mailing``); empty
    # until then, and again after an edit of a published notice, so that members added
    # to its audience get theirs (``NoticeEmail`` keeps anyone from getting two).
    mailed_at = models.DateTimeField("メールを送った日時", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = ScopedManager(tenant="tenant", _manager_class=NoticeManager)

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        indexes = [
            models.Index(
                fields=["tenant", "status", "starts_at"], name="notice_tenant_status_start"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="notice_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def published_on(self):
        """The day it is dated, in the town's time: its 公開開始."""
        return timezone.localdate(self.starts_at)

    def state(self, now=None) -> str:
        """In words for staff: 下書き, 公開予定, 公開中, 公開終了 or 取り下げ."""
        now = now or timezone.now()
        if self.status == self.Status.PUBLISHED:
            if self.starts_at > now:
                return "公開予定"
            if self.ends_at is not None and self.ends_at <= now:
                return "公開終了"
            return "公開中"
        return self.get_status_display()


class NoticeRevision(models.Model):
    """A notice as it was before one edit: its history, newest first."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="revisions")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField("編集した日時")
    title = models.CharField("タイトル", max_length=100)
    body = models.TextField("本文")
    category_name = models.CharField("分類", max_length=30)
    important = models.BooleanField("重要")
    audience = models.CharField("対象", max_length=10, choices=Notice.Audience.choices)
    starts_at = models.DateTimeField("公開開始")
    ends_at = models.DateTimeField("公開終了", null=True, blank=True)
    target_count = models.PositiveIntegerField("対象の契約数", default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "お知らせの履歴"
        verbose_name_plural = "お知らせの履歴"
        ordering = ["-edited_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} @ {self.edited_at:%Y-%m-%d %H:%M}"


class NoticeTarget(models.Model):
    """A contract whose linked members a notice is for (audience ``contracts``)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="targets")
    customer = models.ForeignKey("contracts.Customer", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "お知らせの対象の契約"
        verbose_name_plural = "お知らせの対象の契約"
        constraints = [
            models.UniqueConstraint(fields=["notice", "customer"], name="noticetarget_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.customer_id}"


class NoticeRead(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField("既読にした日時")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "お知らせの既読"
        verbose_name_plural = "お知らせの既読"
        constraints = [
            models.UniqueConstraint(fields=["notice", "member"], name="noticeread_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} ← {self.member_id}"


class NoticeEmail(models.Model):
    """The outbox of an important notice's emails: written, and committed, before the
    member's email is queued, so that no member is ever emailed twice about a notice
    (a failure between the two loses that email instead; it is logged)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    queued_at = models.DateTimeField()

    class Meta:
        verbose_name = "重要なお知らせのメール"
        verbose_name_plural = "重要なお知らせのメール"
        constraints = [
            models.UniqueConstraint(fields=["notice", "member"], name="noticeemail_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.member_id}"

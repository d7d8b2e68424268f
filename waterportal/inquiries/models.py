"""Inquiries (お問い合わせ): a resident's question and the thread of messages answering it.

A member asks from their account; someone who is not a member asks with an address they
confirmed with a code (``CodePurpose.INQUIRY``), so the form cannot be used to send mail
to a stranger. Staff answer in the console; the resident reads the answer and replies on
the web (a member in their history, a guest through a link whose token only the mail
holds: ``GuestLink`` keeps its hash).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Kind(models.TextChoices):
    # Stored as short codes; the labels are what the resident and staff read.
    SIGN_IN = "signin", _("登録・ログイン")
    CHARGES = "charges", _("料金・支払い")
    USAGE = "usage", _("使用量・検針")
    MOVING = "moving", _("引っ越し・名義変更")
    LEAK = "leak", _("漏水・断水")
    OTHER = "other", _("その他")


class Status(models.TextChoices):
    NEW = "new", _("未対応")
    IN_PROGRESS = "in_progress", _("対応中")
    ANSWERED = "answered", _("回答済み")
    CLOSED = "closed", _("完了")


# Waiting for the town: not answered yet (new, or reopened by the resident's reply).
WAITING = (Status.NEW, Status.IN_PROGRESS)


class Inquiry(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    # The number shown to the resident (Q-2026-000123): ``seq`` counts the town's
    # inquiries, the year is the one it was received in (Japan).
    seq = models.PositiveIntegerField("連番")
    reference = models.CharField("受付番号", max_length=20)
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    subject = models.CharField("件名", max_length=100)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="inquiries",
    )
    # A guest's address, confirmed with a code; "" for a member (their account's address
    # is used, so a changed address still gets the answer).
    email = models.EmailField("メールアドレス（会員以外）", blank=True)
    customer = models.ForeignKey(
        "contracts.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="契約",
    )
    status = models.CharField("状態", max_length=12, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="担当者",
    )
    created_at = models.DateTimeField("受付日時")
    last_resident_message_at = models.DateTimeField("住民の最新の書き込み")
    # Since when the resident has waited for an answer (the first message not yet
    # answered); None once answered or closed.
    waiting_since = models.DateTimeField("回答待ちの開始", null=True, blank=True)
    answered_at = models.DateTimeField("最新の回答日時", null=True, blank=True)
    closed_at = models.DateTimeField("完了日時", null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "お問い合わせ"
        verbose_name_plural = "お問い合わせ"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "seq"], name="inquiry_seq_per_tenant"),
            models.UniqueConstraint(
                fields=["tenant", "reference"], name="inquiry_reference_per_tenant"
            ),
            # A member's inquiry or a guest's with their address, never both nor neither.
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(email=""))
                | (Q(member__isnull=True) & ~Q(email="")),
                name="inquiry_member_or_guest_email",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "waiting_since"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_guest(self) -> bool:
        return self.member_id is None

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING


class InquiryMessage(models.Model):
    """One message of the thread: the resident's question or reply, or a staff answer."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    from_staff = models.BooleanField("職員の回答", default=False)
    # The member or the member of staff who wrote it; None for a guest.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField("本文")
    created_at = models.DateTimeField("日時")

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "お問い合わせのメッセージ"
        verbose_name_plural = "お問い合わせのメッセージ"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.inquiry_id}#{self.pk}"


class GuestLink(models.Model):
    """A link mailed to a guest to read and reply to their inquiry: only the hash of its
    token is kept. Each mail carries a token of its own (the confirmation, each answer),
    so an older mail's link keeps working until it expires."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="guest_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    objects = ScopedManager(tenant="tenant")

    def __str__(self) -> str:
        return f"guest link #{self.pk}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        # 256 random bits: a plain hash suffices (nothing to guess from a leaked table).
        return hashlib.sha256(token.encode()).hexdigest()

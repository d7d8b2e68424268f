import re
import unicodedata

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django_scopes import ScopedManager

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
slug_validator = RegexValidator(SLUG_PATTERN, "英小文字・数字・ハイフンで2〜40文字にしてください。")


def normalize_slug(value: str) -> str:
    """A tenant identifier as typed by a person: full-width to ASCII, trimmed, lower case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def is_wellformed_slug(slug: str) -> bool:
    return SLUG_PATTERN.fullmatch(slug) is not None


class Tenant(models.Model):
    """A municipality's water department: one portal tenant."""

    slug = models.CharField("識別子", max_length=40, unique=True, validators=[slug_validator])
    name = models.CharField("自治体名", max_length=100)
    business_name = models.CharField(
        "事業者名", max_length=100, blank=True, help_text="例: おうむ町水道事業（請求書の発行者）"
    )
    department = models.CharField("担当課", max_length=100, blank=True)
    section = models.CharField("担当係", max_length=100, blank=True)
    phone = models.CharField("電話番号", max_length=40, blank=True)
    opening_hours = models.CharField("受付時間", max_length=200, blank=True)
    terms_text = models.TextField("利用規約", blank=True)
    privacy_text = models.TextField("個人情報の取り扱い", blank=True)
    invoice_registration_number = models.CharField(
        "適格請求書発行事業者登録番号",
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^T\d{13}$", "T と13桁の数字で入力してください。")],
    )
    number_lock_hours = models.PositiveSmallIntegerField(
        "使用者番号ロックの期間（時間）",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="同じ使用者番号でカナ氏名の誤りが1日に10回続いたとき、"
        "ポータルからの登録を止める時間。過ぎると自動で解除されます。",
    )
    is_active = models.BooleanField("公開中", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "自治体"
        verbose_name_plural = "自治体"

    def __str__(self) -> str:
        return self.name

    @property
    def contact_lines(self) -> list[str]:
        office = " ".join(p for p in (self.department, self.section) if p)
        return [line for line in (office, self.phone_line, self.opening_hours) if line]

    @property
    def phone_line(self) -> str:
        return f"電話 {self.phone}" if self.phone else ""

    @property
    def phone_href(self) -> str:
        """The number to call from a phone's browser (tel:0120000111), or ""."""
        digits = "".join(
            c for c in unicodedata.normalize("NFKC", self.phone) if c.isdigit() or c == "+"
        )
        return f"tel:{digits}" if digits else ""


class ClosedDay(models.Model):
    """A day the tenant's office is closed beyond weekends, holidays and 12/29–1/3."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField("休業日")
    reason = models.CharField("理由", max_length=100, blank=True)

    class Meta:
        verbose_name = "休業日"
        verbose_name_plural = "休業日"
        constraints = [models.UniqueConstraint(fields=["tenant", "date"], name="closedday_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class TextKind(models.TextChoices):
    """The two texts a member agrees to when registering."""

    TERMS = "terms", "利用規約"
    PRIVACY = "privacy", "個人情報の取り扱い"


def normalize_label(value: str) -> str:
    """A version label as typed by a person: full-width digits to ASCII, trimmed, so that
    「２０２６年１２月版」 and 「2026年12月版」 are the same label."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


class TextVersion(models.Model):
    """One published version of a town's 利用規約 or 個人情報の取り扱い.

    The newest of each kind is the current text (also kept in ``Tenant.terms_text`` /
    ``privacy_text``, which the registration pages show); a member who has not accepted
    it is asked to at their next page (``accounts.decorators.member_page``). Versions are
    never edited or deleted: what a member agreed to stays readable.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="text_versions")
    kind = models.CharField("種類", max_length=10, choices=TextKind.choices)
    label = models.CharField("版", max_length=40, help_text="例: 2026年12月版")
    text = models.TextField("本文")
    published_at = models.DateTimeField("公開日時")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="公開した職員",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "規約の版"
        verbose_name_plural = "規約の版"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "label"], name="textversion_label_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"


class TextAcceptance(models.Model):
    """A member agreed to a version: at registration, or when asked after it was published."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="text_acceptances"
    )
    version = models.ForeignKey(TextVersion, on_delete=models.CASCADE, related_name="acceptances")
    accepted_at = models.DateTimeField("同意日時")

    objects = ScopedManager(tenant="version__tenant")

    class Meta:
        verbose_name = "規約への同意"
        verbose_name_plural = "規約への同意"
        constraints = [
            models.UniqueConstraint(fields=["member", "version"], name="textacceptance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.accepted_at:%Y-%m-%d %H:%M}"

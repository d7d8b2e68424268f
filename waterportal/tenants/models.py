import re
import unicodedata

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django_scopes import ScopedManager

from waterportal.tenants.validators import validate_invoice_number

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
slug_validator = RegexValidator(SLUG_PATTERN, "英小文字・数字・ハイフンで2〜40文字にしてください。")


def normalize_slug(value: str) -> str:
    """A tenant identifier as typed by a person: full-width to ASCII, trimmed, lower case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def is_wellformed_slug(slug: str) -> bool:
    return SLUG_PATTERN.fullmatch(slug) is not None


DEFAULT_ACCENT = "#0b5394"


class PasswordRule(models.TextChoices):
    GUIDE = "guide", "8文字以上で大文字・小文字・数字を含む（案内どおり）"
    LENGTH = "length", "15文字以上（文字の種類は問わない）"


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
        validators=[validate_invoice_number],
    )
    number_lock_hours = models.PositiveSmallIntegerField(
        "使用者番号ロックの期間（時間）",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="同じ使用者番号でカナ氏名の誤りが1日に10回続いたとき、"
        "ポータルからの登録を止める時間。過ぎると自動で解除されます。",
    )
    inquiry_target_days = models.PositiveSmallIntegerField(
        "回答の目安（営業日）",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="お問い合わせに回答するまでの目安。これを過ぎて回答を待っている"
        "お問い合わせがあると、毎朝、管理者にメールでお知らせします。",
    )
    has_sewer = models.BooleanField(
        "下水道使用料あり",
        default=True,
        help_text="下水道使用料を請求しない自治体では、明細に下水道使用料の行を出しません。",
    )
    # The accent of the resident pages' header and buttons, behind white text.
    accent_colour = models.CharField(
        "テーマ色",
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "#と6桁の英数字で入力してください。")],
    )
    # The content hash of the logo (TenantLogo), in its address so a new logo is fetched
    # at once and an old one may be cached for long; "" when the town has no logo.
    logo_hash = models.CharField(max_length=16, blank=True, editable=False)
    # The same for the town's own sample 検針票 (TenantSlipSample); "" shows the default.
    slip_hash = models.CharField(max_length=16, blank=True, editable=False)
    # The year-end closure, 12/29–1/3 for most municipalities (the default); it may wrap
    # around the new year.
    year_end_closure = models.BooleanField("年末年始の休業", default=True)
    year_end_start_month = models.PositiveSmallIntegerField(
        "年末年始の休業の開始（月）",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    year_end_start_day = models.PositiveSmallIntegerField(
        "年末年始の休業の開始（日）",
        default=29,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    year_end_end_month = models.PositiveSmallIntegerField(
        "年末年始の休業の終了（月）",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    year_end_end_day = models.PositiveSmallIntegerField(
        "年末年始の休業の終了（日）",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    password_rule = models.CharField(
        "住民のパスワードの規則",
        max_length=10,
        choices=PasswordRule.choices,
        default=PasswordRule.GUIDE,
    )
    # The operator's switch: an inactive town does not exist for anyone.
    is_active = models.BooleanField("有効", default=True)
    # The town's 管理者 publishes it: until then residents see a 準備中 page, and only
    # its staff can sign in (to the console).
    published_at = models.DateTimeField("公開日時", null=True, blank=True)
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
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def year_end_closure_span(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """((start month, day), (end month, day)) of the year-end closure, or None."""
        if not self.year_end_closure:
            return None
        return (
            (self.year_end_start_month, self.year_end_start_day),
            (self.year_end_end_month, self.year_end_end_day),
        )

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


class TenantImage(models.Model):
    """An image a town's 管理者 uploads, kept in the database so that every web process
    serves the same one (the tenant's ``<kind>_hash`` says which); checked on upload as
    PNG or JPEG by its content."""

    content = models.BinaryField()
    content_type = models.CharField(max_length=20)

    class Meta:
        abstract = True


class TenantLogo(TenantImage):
    """The town's logo, in the header of every page (``Tenant.logo_hash``)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="logo")

    class Meta:
        verbose_name = "ロゴ"
        verbose_name_plural = "ロゴ"

    def __str__(self) -> str:
        return f"{self.tenant} のロゴ"


class TenantSlipSample(TenantImage):
    """The town's own sample 検針票, shown where residents type the 使用者番号 and the
    カナ氏名 (``Tenant.slip_hash``); without one, the portal's drawn sample is shown."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="slip_sample")

    class Meta:
        verbose_name = "検針票の見本"
        verbose_name_plural = "検針票の見本"

    def __str__(self) -> str:
        return f"{self.tenant} の検針票の見本"

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_scopes import ScopedManager

from waterportal.tenants.models import Tenant


def normalize_email(email: str) -> str:
    """Addresses are compared case-insensitively: residents type them in any case."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email, password=None, *, tenant: Tenant | None = None, **extra):
        if tenant is None:
            extra.setdefault("kind", AccountKind.OPERATOR)
        user = self.model(email=normalize_email(email), tenant=tenant, **extra)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, kind=AccountKind.OPERATOR)
        return self.create_user(email, password, **extra)


class AccountKind(models.TextChoices):
    """Who an account is. A resident and a member of the town's staff are two accounts,
    even with one address: each signs in at its own door (``/login``, ``/staff/login``)."""

    MEMBER = "member", "会員"
    STAFF = "staff", "職員"
    OPERATOR = "operator", "運用者"


class StaffRole(models.TextChoices):
    MANAGER = "manager", "管理者"  # everything in the town, staff accounts and settings too
    CLERK = "clerk", "担当者"  # members, links, locks, imports, notices
    VIEWER = "viewer", "閲覧者"  # reads only


class MemberManager(models.Manager["User"]):
    """Residents only: every lookup of a member by address goes through this."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=AccountKind.MEMBER)


class User(AbstractBaseUser, PermissionsMixin):
    """A member (resident) of one municipality, a member of its staff, or, with no
    tenant, the operator (``kind``).

    The same address may register in two municipalities, or as a resident and as staff
    of one: they are separate accounts.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    email = models.EmailField("メールアドレス", max_length=254)
    name = models.CharField("お名前", max_length=100, blank=True)
    is_staff = models.BooleanField("管理サイトへのアクセス", default=False)
    is_active = models.BooleanField("有効", default=True)
    date_joined = models.DateTimeField("登録日時", default=timezone.now)
    notify_new_bill = models.BooleanField("新しい請求のお知らせメール", default=True)
    # The town's important notices (断水, 料金…), emailed when published (waterportal.notices).
    notify_notices = models.BooleanField("重要なお知らせのメール", default=True)
    # The language the member last chose with the footer's switch while signed in (""
    # until then): the emails to the member are in やさしい日本語 when it is "ja-easy", in
    # Japanese otherwise (there are no English emails).
    language = models.CharField("表示言語", max_length=10, blank=True, default="")
    kind = models.CharField("種別", max_length=10, choices=AccountKind, default=AccountKind.MEMBER)
    staff_role = models.CharField("職員の権限", max_length=10, choices=StaffRole, blank=True)
    # Stopped by the town's staff (アカウントを停止): no sign-in of any kind until they lift it.
    locked_at = models.DateTimeField("停止日時", null=True, blank=True)
    # Part of the session auth hash once above 0: raising it ends every open session of
    # the account (``get_session_auth_hash``). 0, the default, leaves Django's hash as it
    # was, so the deploy that added it ended nobody's session.
    session_generation = models.PositiveIntegerField("セッションの世代", default=0)

    objects = UserManager()
    members = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]  # declared a ClassVar upstream

    class Meta:
        verbose_name = "会員"
        verbose_name_plural = "会員"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "email"], name="user_email_per_tenant_and_kind"
            ),
            models.UniqueConstraint(
                fields=["email"], condition=Q(tenant__isnull=True), name="user_email_operator"
            ),
            # The operator, and only the operator, belongs to no town; only staff have a role.
            models.CheckConstraint(
                condition=Q(kind=AccountKind.OPERATOR, tenant__isnull=True)
                | (~Q(kind=AccountKind.OPERATOR) & Q(tenant__isnull=False)),
                name="user_operator_has_no_town",
            ),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.STAFF, staff_role__in=list(StaffRole.values))
                | (~Q(kind=AccountKind.STAFF) & Q(staff_role="")),
                name="user_role_for_staff_only",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def _get_session_auth_hash(self, secret=None):
        # Django's own hash (of the password) while the generation is 0; with it once
        # staff ended the sessions. Overridden here, not in get_session_auth_hash, so
        # that SECRET_KEY_FALLBACKS keep working as Django checks them.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]  # not in django-stubs
        key_salt = "waterportal.accounts.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def town(self) -> Tenant:
        """The member's municipality, for the actions on a member. The operator's accounts
        have none, and no member page or action is open to them (``member_page``)."""
        if self.tenant is None:
            raise PermissionDenied("The operator's account belongs to no municipality.")
        return self.tenant


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", "会員登録"
    RESET = "reset", "パスワード再設定"
    EMAIL_CHANGE = "email", "メールアドレス変更"
    SIGN_IN = "signin", "ログイン用リンク"
    # A person who is not a member confirms the address an inquiry is answered to.
    INQUIRY = "inquiry", "お問い合わせ"


class VerificationCode(models.Model):
    """A 6-digit code sent by email; only its keyed hash is stored.

    Valid ``CODE_TTL``, single use, at most ``MAX_ATTEMPTS`` wrong entries; a new code
    for the same address and purpose voids the previous one.
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=10, choices=CodePurpose.choices)
    email = models.EmailField(db_index=True)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    delivered = models.BooleanField(
        default=True,
        help_text="False when no code was mailed (address already registered, or no account)",
    )
    # The member who asked, for a code that changes their own account (a new address):
    # only that member can use it, whoever else learns it or signs in elsewhere.
    member = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = ScopedManager(tenant="tenant")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"

    @staticmethod
    def hash_code(salt: str, code: str) -> str:
        # Keyed with SECRET_KEY: six digits are a million guesses, so a plain hash of a
        # leaked table would give every code back at once.
        return salted_hmac("waterportal.code", f"{salt}:{code}", algorithm="sha256").hexdigest()

    @classmethod
    def new_salt(cls) -> str:
        return secrets.token_hex(16)

    def usable(self, now) -> bool:
        """Not yet expired, used or replaced by a newer code."""
        return self.used_at is None and self.voided_at is None and self.expires_at > now

    def matches(self, code: str) -> bool:
        return constant_time_compare(self.code_hash, self.hash_code(self.salt, code))


class SignupFlow(models.Model):
    """One resident's way through the registration steps (guide steps 2–9).

    The browser's session holds only the key. The password is hashed the moment it is
    entered; nothing typed is kept once the flow completes or expires.
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    created_at = models.DateTimeField()
    touched_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    member = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager(tenant="tenant")

    def __str__(self) -> str:
        return f"signup flow #{self.pk}"

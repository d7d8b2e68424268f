"""The town staff's second factor: recovery codes, beside django-otp's TOTP devices."""

import secrets

from django.db import models, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.models import Device, ThrottlingMixin
from django_scopes import ScopedManager

from waterportal.accounts.second_factor import tidy_code

# Unambiguous on paper and on a phone: no 0/O, 1/l/I.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_COUNT = 10


def _digest(code: str) -> str:
    return salted_hmac("waterportal.staff.recovery", code, algorithm="sha256").hexdigest()


class RecoveryCodes(ThrottlingMixin, Device):
    """Ten single-use codes, for a member of staff whose authenticator is lost.

    Written by hand on django-otp's ``Device`` rather than with its ``otp_static``
    plugin, which stores the codes in clear: here only keyed hashes are kept, and a code
    is crossed off in the same transaction that accepts it.
    """

    hashes = models.JSONField(default=list)

    class Meta(Device.Meta):
        verbose_name = "リカバリーコード"

    def issue(self) -> list[str]:
        """Replace every code with ten new ones; returns them, to be shown once."""
        codes = [
            "".join(secrets.choice(_ALPHABET) for _ in range(10))
            for _ in range(RECOVERY_CODE_COUNT)
        ]
        self.hashes = [_digest(code) for code in codes]
        self.save(update_fields=["hashes"])
        return [f"{code[:5]}-{code[5:]}" for code in codes]

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        digest = _digest(tidy_code(str(token)))
        with transaction.atomic():
            row = type(self).objects.select_for_update().get(pk=self.pk)
            match = next((h for h in row.hashes if constant_time_compare(h, digest)), None)
            if match is None:
                row.throttle_increment(commit=True)
                return False
            row.hashes = [h for h in row.hashes if h != match]
            row.throttle_reset(commit=False)
            row.save(
                update_fields=["hashes", "throttling_failure_count", "throttling_failure_timestamp"]
            )
        self.hashes = row.hashes
        return True

    def get_throttle_factor(self) -> int:
        return 1

    @property
    def remaining(self) -> int:
        return len(self.hashes)


class InvitationPurpose(models.TextChoices):
    INVITE = "invite", "招待"  # a new account: set a password, then enrol
    RESET = "reset", "認証アプリの再登録"  # after a reset of the second factor: enrol only


class StaffInvitation(models.Model):
    """A single-use emailed link for a member of staff to set a password (when invited)
    and enrol an authenticator. Only a keyed hash of the link's secret is stored; a newer
    link for the same account voids this one.

    ``password_hash`` holds the password chosen at the first step, already hashed, until
    the authenticator is confirmed: the account gets it only then, all at once.
    """

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="staff_invitations"
    )
    purpose = models.CharField(max_length=10, choices=InvitationPurpose.choices)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    password_hash = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = "職員の招待"

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"

    @staticmethod
    def hash_token(token: str) -> str:
        return salted_hmac("waterportal.staff.invitation", token, algorithm="sha256").hexdigest()

    def usable(self, now) -> bool:
        return self.used_at is None and self.voided_at is None and self.expires_at > now

    def matches(self, token: str) -> bool:
        return constant_time_compare(self.token_hash, self.hash_token(token))

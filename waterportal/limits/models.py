"""The counts behind the named limits (``limits.ratelimit``)."""

from django.db import models


class RateEvent(models.Model):
    """A counted event (a failed login, a wrong code…) for a named limit policy.

    Counted in the database so that every server process sees the same count.
    ``key`` is a keyed hash: the table never holds an address in clear.
    """

    policy = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        # Named as when this table belonged to accounts (migration limits 0001).
        indexes = [
            models.Index(
                fields=["policy", "key", "created_at"], name="accounts_ra_policy_e0997f_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.created_at:%Y-%m-%d %H:%M}"


class RateLock(models.Model):
    policy = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    until = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["policy", "key", "until"], name="accounts_ra_policy_9022a6_idx")
        ]

    def __str__(self) -> str:
        return f"{self.policy} until {self.until:%Y-%m-%d %H:%M}"

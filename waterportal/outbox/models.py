"""The outbox: every email the portal sends is a row here first.

The row is written in the transaction of the change that causes the email, so the email
exists exactly when the change does. Redis only wakes the workers; what is still unsent
is found here by the periodic sweep (``waterportal.emails.sweep_outbox``).

Rows hold email addresses and, for most emails, the rendered message: personal data,
purged once sent (``OUTBOX_KEEP_DAYS``), and never logged.
"""

from django.db import models


class OutboxEmail(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "送信待ち"
        SENDING = "sending", "送信中"
        SENT = "sent", "送信済み"
        FAILED = "failed", "送信できず"
        # A code email whose code is no longer valid, or a code for an address that gets
        # no mail (``accounts.code_mail``): nothing to send.
        DROPPED = "dropped", "送信不要"

    class Kind(models.TextChoices):
        # subject, text and html rendered when the row was written.
        RENDERED = "rendered", "本文あり"
        # The same email for every resident of a town: rendered when sent, from
        # ``recipe`` (email name, town, member and kind for the unsubscribe headers).
        TOWN = "town", "町のお知らせ"
        # A verification code: decided and rendered when sent (``accounts.code_mail``);
        # ``secret`` holds the code, encrypted, until then.
        CODE = "code", "認証コード"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What the email belongs to, for counts per state: "new_bill:<import run>", "notice:<id>".
    batch = models.CharField(max_length=40, blank=True, default="")
    # Unique per row, in the message's Message-ID header: a message delivered twice
    # (a worker lost between the mail server's acceptance and the row's update) carries
    # the same Message-ID both times, and mail programs can tell.
    message_id = models.CharField(max_length=120, unique=True)
    to = models.CharField(max_length=254)
    subject = models.TextField(blank=True, default="")
    text = models.TextField(blank=True, default="")
    html = models.TextField(blank=True, default="")
    headers = models.JSONField(default=dict, blank=True)
    recipe = models.JSONField(default=dict, blank=True)
    secret = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    # When the next try may start; a failed try moves it on (growing delay).
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    # A worker's claim: its token, and until when it holds the row. A worker killed
    # mid-send leaves the row "sending"; once the lease has run out, the sweep takes it.
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The kind of error and its codes (``emails.describe``), never its text.
    last_error = models.CharField(max_length=200, blank=True, default="")
    # A code email expires with its code: not sent after this.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "送信メール"
        verbose_name_plural = "送信メール"
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["batch", "state"], name="outbox_batch"),
            models.Index(fields=["state", "sent_at"], name="outbox_sent"),
        ]

    def __str__(self) -> str:
        # Never the address: admin pages and logs show the row by its number.
        return f"送信メール {self.pk}"

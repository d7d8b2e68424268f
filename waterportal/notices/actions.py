"""Notices' actions: writing, editing (with its history), publishing or scheduling,
withdrawing, reading, the town's categories, and the important notices' emails.

Publishing returns at once whatever the audience: it changes the notice and, for an
important notice already visible, queues one task (``notify_notice``) that emails its
members in batches. Notices that become visible later (a scheduled start) are found by
the sweep (``tasks.sweep_notice_mail``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waterportal import emails
from waterportal.audit.actions import record
from waterportal.devices import push
from waterportal.exchange.importers.merge import ANALYZE_AFTER, analyze
from waterportal.notices import mailing
from waterportal.notices.live import notices_changed, reads_changed
from waterportal.notices.models import (
    DEFAULT_CATEGORIES,
    Notice,
    NoticeCategory,
    NoticeEmail,
    NoticeRead,
    NoticeRevision,
    NoticeTarget,
)
from waterportal.tenants.models import Tenant

log = logging.getLogger(__name__)

# Members emailed per transaction: each batch's outbox rows commit before its emails
# are queued.
MAIL_BATCH = 2000


class NoticeError(Exception):
    """A notice that cannot be saved or published as asked; ``str()`` tells staff why."""


@dataclass
class NoticeFields:
    """What staff type for a notice."""

    title: str
    body: str
    category: NoticeCategory
    important: bool
    audience: str
    starts_at: datetime
    ends_at: datetime | None = None


def _check(tenant: Tenant, fields: NoticeFields) -> None:
    if fields.category.tenant_id != tenant.pk:
        raise NoticeError("分類を選び直してください。")
    if fields.ends_at is not None and fields.ends_at <= fields.starts_at:
        raise NoticeError("公開終了は、公開開始より後の日時にしてください。")
    if fields.audience not in Notice.Audience.values:
        raise NoticeError("対象を選んでください。")


def _set_targets(notice: Notice, customer_ids: list[int]) -> None:
    notices_changed(notice.tenant_id)
    NoticeTarget.objects.filter(notice=notice).delete()
    NoticeTarget.objects.bulk_create(
        (
            NoticeTarget(tenant_id=notice.tenant_id, notice=notice, customer_id=pk)
            for pk in customer_ids
        ),
        batch_size=5000,
    )
    if len(customer_ids) >= ANALYZE_AFTER:
        # As after a large import: with the statistics of an empty table, PostgreSQL
        # joins the members to the targets row by row, and the emails' batches crawl.
        transaction.on_commit(lambda: analyze(NoticeTarget))


def _needs_targets(fields: NoticeFields, targets: list[int] | None) -> None:
    if fields.audience == Notice.Audience.CONTRACTS and not targets:
        raise NoticeError(
            "対象の契約を選んでください（使用者番号の一覧、CSVファイル、または給水場所の始めの文字）。"
        )


def create_default_categories(tenant: Tenant) -> None:
    """The six categories every town starts with (``DEFAULT_CATEGORIES``)."""
    NoticeCategory.objects.bulk_create(
        [
            NoticeCategory(tenant=tenant, name=name, position=position)
            for position, name in enumerate(DEFAULT_CATEGORIES, start=1)
        ],
        ignore_conflicts=True,
    )


def do_create_category(tenant: Tenant, name: str, *, actor, source: str = "", now=None):
    """A category of the town's own, listed after the others."""
    now = now or timezone.now()
    name = " ".join((name or "").split())
    if not name:
        raise NoticeError("分類の名前を入力してください。")
    if len(name) > 30:
        raise NoticeError("分類の名前は30文字までにしてください。")
    with transaction.atomic():
        if NoticeCategory.objects.filter(tenant=tenant, name=name).exists():
            raise NoticeError(f"分類「{name}」はすでにあります。")
        last = NoticeCategory.objects.filter(tenant=tenant).order_by("-position").first()
        category = NoticeCategory.objects.create(
            tenant=tenant, name=name, position=(last.position + 1) if last else 1, created_at=now
        )
        record(
            tenant, "notice_category_created", actor=actor, now=now, source=source, category=name
        )
    return category


def do_create_notice(
    tenant: Tenant,
    fields: NoticeFields,
    *,
    actor,
    targets: list[int] | None = None,
    source: str = "",
    now=None,
) -> Notice:
    """A new notice, as a draft (``do_publish_notice`` publishes it). ``targets``: the
    ids of the contracts it is for, when its audience is ``contracts``."""
    now = now or timezone.now()
    _check(tenant, fields)
    _needs_targets(fields, targets)
    with transaction.atomic():
        notice = Notice.objects.create(
            tenant=tenant,
            title=fields.title,
            body=fields.body,
            category=fields.category,
            important=fields.important,
            audience=fields.audience,
            starts_at=fields.starts_at,
            ends_at=fields.ends_at,
            created_by=actor,
            updated_by=actor,
            created_at=now,
            updated_at=now,
        )
        if fields.audience == Notice.Audience.CONTRACTS and targets:
            _set_targets(notice, targets)
        record(
            tenant,
            "notice_created",
            actor=actor,
            now=now,
            source=source,
            notice=notice.pk,
            audience=notice.audience,
            targets=len(targets or []),
        )
    return notice


def do_edit_notice(
    notice: Notice,
    fields: NoticeFields,
    *,
    actor,
    targets: list[int] | None = None,
    source: str = "",
    now=None,
) -> Notice:
    """Change a notice, keeping what it was in its history (``NoticeRevision``).
    ``targets`` None keeps the contracts chosen before.

    A published important notice is emailed again to the members who have not had it
    (those added to its audience): nobody gets a second email about one notice.
    """
    now = now or timezone.now()
    tenant = notice.tenant
    _check(tenant, fields)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        kept = NoticeTarget.objects.filter(notice=notice).count()
        if targets is None and fields.audience == Notice.Audience.CONTRACTS and not kept:
            _needs_targets(fields, targets)
        NoticeRevision.objects.create(
            tenant=tenant,
            notice=notice,
            edited_by=actor,
            edited_at=now,
            title=notice.title,
            body=notice.body,
            category_name=notice.category.name,
            important=notice.important,
            audience=notice.audience,
            starts_at=notice.starts_at,
            ends_at=notice.ends_at,
            target_count=kept,
        )
        before = _summary(notice)
        for name in ("title", "body", "category", "important", "audience", "starts_at", "ends_at"):
            setattr(notice, name, getattr(fields, name))
        notice.updated_by, notice.updated_at = actor, now
        changed = [
            "title",
            "body",
            "category",
            "important",
            "audience",
            "starts_at",
            "ends_at",
            "updated_by",
            "updated_at",
        ]
        if notice.audience != Notice.Audience.CONTRACTS:
            NoticeTarget.objects.filter(notice=notice).delete()
        elif targets is not None:
            _set_targets(notice, targets)
        mail_again = notice.status == Notice.Status.PUBLISHED and notice.important
        if mail_again:
            notice.mailed_at = None
            changed.append("mailed_at")
        notice.save(update_fields=changed)
        record(
            tenant,
            "notice_edited",
            actor=actor,
            now=now,
            source=source,
            notice=notice.pk,
            before=before,
            after=_summary(notice),
        )
        if mail_again and _visible(notice, now):
            pk = notice.pk
            transaction.on_commit(lambda: notify_notice.delay(pk), robust=True)
    return notice


def _summary(notice: Notice) -> dict:
    return {
        "title": notice.title,
        "category": notice.category.name,
        "important": notice.important,
        "audience": notice.audience,
        "starts_at": notice.starts_at.isoformat(),
        "ends_at": notice.ends_at.isoformat() if notice.ends_at else None,
    }


def _visible(notice: Notice, now) -> bool:
    """Whether residents see ``notice`` at ``now``: the same rule as the pages'."""
    return Notice.objects.live(now).filter(pk=notice.pk).exists()


def do_publish_notice(notice: Notice, *, actor, source: str = "", now=None) -> Notice:
    """Publish ``notice`` from its 公開開始: now when that has come, else it is
    scheduled and appears by itself then. Raises NoticeError when its 公開終了 has passed.

    Returns at once, however many members it is for: an important notice that is visible
    now gets one task queued after commit (``notify_notice``), which does the emails.
    """
    now = now or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.status == Notice.Status.PUBLISHED:
            raise NoticeError("このお知らせはすでに公開（予約）されています。")
        if notice.ends_at is not None and notice.ends_at <= now:
            raise NoticeError(
                "公開終了の日時が過ぎています。公開終了を直してから公開してください。"
            )
        if (
            notice.audience == Notice.Audience.CONTRACTS
            and not NoticeTarget.objects.filter(notice=notice).exists()
        ):
            raise NoticeError("対象の契約がありません。編集で対象の契約を選んでください。")
        notice.status = Notice.Status.PUBLISHED
        notice.published_at = now
        notice.withdrawn_at = None
        notice.updated_by, notice.updated_at = actor, now
        notice.save(
            update_fields=["status", "published_at", "withdrawn_at", "updated_by", "updated_at"]
        )
        scheduled = notice.starts_at > now
        record(
            notice.tenant,
            "notice_published",
            actor=actor,
            now=now,
            source=source,
            notice=notice.pk,
            scheduled=scheduled,
            starts_at=notice.starts_at.isoformat(),
        )
        if notice.important and not scheduled:
            pk = notice.pk
            # A broker that is away loses nothing: the sweep finds the notice unmailed.
            transaction.on_commit(lambda: notify_notice.delay(pk), robust=True)
    return notice


def do_withdraw_notice(notice: Notice, *, actor, source: str = "", now=None) -> Notice:
    """Take a published or scheduled notice down at once (it can be published again)."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.status != Notice.Status.PUBLISHED:
            raise NoticeError("公開していないお知らせは取り下げられません。")
        notice.status = Notice.Status.WITHDRAWN
        notice.withdrawn_at = now
        notice.updated_by, notice.updated_at = actor, now
        notice.save(update_fields=["status", "withdrawn_at", "updated_by", "updated_at"])
        record(
            notice.tenant, "notice_withdrawn", actor=actor, now=now, source=source, notice=notice.pk
        )
    return notice


def do_mark_read(member, notice: Notice, *, now=None) -> bool:
    """The member opened ``notice``; returns whether it was unread. Not on the audit log:
    reading a notice changes nothing anyone needs on record, and would fill it."""
    now = now or timezone.now()
    if NoticeRead.objects.filter(notice=notice, member=member).exists():
        return False
    # Two tabs opening it at once: the second insert is ignored, not an error.
    NoticeRead.objects.bulk_create(
        [NoticeRead(tenant_id=notice.tenant_id, notice=notice, member=member, read_at=now)],
        ignore_conflicts=True,
    )
    reads_changed(member.pk)
    return True


# --- The important notices' emails ---------------------------------------------------


@shared_task(acks_late=True)
def notify_notice(notice_id: int) -> int:
    """``do_mail_notice`` on the queue. Declared beside the actions that queue it, so
    ``tasks.py`` can import the actions without a loop."""
    return do_mail_notice(notice_id)


def do_mail_notice(notice_id: int, *, now=None, batch: int = MAIL_BATCH) -> int:
    """Queue the emails of an important notice that is visible now, to each member it is
    for who wants them and has not had it, and the same members' push messages
    (``devices.push.queue_push``); returns how many emails.

    Each batch's ``NoticeEmail`` rows commit with its emails' outbox rows: at most one
    email per notice and member, even with two of these running at once (the notice's
    row is locked for each batch) or one run again after a crash, which carries on where
    it stopped; and none lost, whatever becomes of the broker. When every member has been handled the
    notice is marked ``mailed_at``.
    """
    now = now or timezone.now()
    with scopes_disabled():
        notice = Notice.objects.select_related("tenant").filter(pk=notice_id).first()
    if notice is None:
        return 0
    tenant = notice.tenant
    context = {"notice_id": notice.pk, "notice_title": notice.title}
    message = push.notice_message(tenant, f"/notices/{notice.pk}?tenant={tenant.slug}")
    sent = 0
    conflicts = 0
    with scope(tenant=tenant):
        while True:
            try:
                with transaction.atomic():
                    locked = Notice.objects.select_for_update().filter(pk=notice.pk).first()
                    if locked is None or not locked.important or not _visible(locked, now):
                        return sent
                    if locked.mailed_at is not None:
                        return sent
                    rows = list(mailing.recipients(locked, now)[:batch])
                    if not rows:
                        locked.mailed_at = now
                        locked.save(update_fields=["mailed_at"])
                        record(tenant, "notice_mailed", now=now, notice=locked.pk, count=sent)
                        return sent
                    NoticeEmail.objects.bulk_create(
                        NoticeEmail(notice_id=locked.pk, member_id=pk, queued_at=now)
                        for pk, *_address_and_language in rows
                    )
                    # In the same transaction as the rows that say who had it: each
                    # member's email exists exactly when its NoticeEmail does.
                    sent += emails.send_many(
                        "notice",
                        rows,
                        tenant,
                        unsubscribe="notices",
                        context=context,
                        batch=f"notice:{locked.pk}",
                    )
            except IntegrityError:
                # Another run took some of these members first (SQLite, which has no row
                # locks): read again, a few times.
                conflicts += 1
                if conflicts > 5:
                    raise
                continue
            # The same members' browsers: a push that cannot be queued is logged and
            # lost (the email is the notification that must arrive).
            try:
                push.queue_push(
                    tenant, [pk for pk, *_address_and_language in rows], message, now=now
                )
            except Exception:
                log.exception("notice %s: push messages could not be queued", notice.pk)

"""A town's live notices, kept in the shared cache for the home page's block.

Every member's home page shows the town's newest notices. Asking the database which
notices a member sees (``Notice.objects.visible_to``) is cheap for PostgreSQL but costs
the web process about 5 ms of query building per view, half of the home page's whole
time (bench/README.md). What changes from one member to the next is small: which of the
notices for chosen contracts are theirs, and which they have read. So the town's live
notices (published, started, not ended; every audience) are read once and kept, and
each view adds only those two facts, each a plain query; the second is kept too, per
member, until they read a notice (``reads_changed``) or the live notices change.

The list is kept under the town's *notices version*, a random token replaced when a
notice or a category is saved or deleted (``notices.receivers``) or a notice's contracts
are chosen again (``notices.actions``), and again when that change commits; a reader
takes the version before reading, so a list read while a change was being made is kept
under the old version, which nobody asks for again (as ``tenants.freshness`` does for
the cards). The list also holds the time of the next start or end of any of the town's
notices, past which it is not used, whatever the cache's clock says, and is kept for a
minute at most (``KEEP_SECONDS``). It holds plain values (a ``KeptNotice``'s fields),
without the notices' bodies. Who sees what is ``Notice.objects.visible_to``'s rule; a
test holds the two to the same answer (``tests/test_home_notices_kept.py``).
"""

import hashlib
from dataclasses import astuple, dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.utils import timezone

from waterportal.notices.models import Notice, NoticeRead, targets_of
from waterportal.tenants import freshness

# How long a kept list may be used at most, whatever else: a change whose version could
# not be replaced (Redis unreachable from the process that made it) shows within this.
KEEP_SECONDS = 60
# In the key: a list kept in another shape (by an older release, during a deploy) is
# not read.
FORMAT = 1


@dataclass
class KeptNotice:
    """What the home page's block shows of a notice, and who it is for."""

    pk: int
    title: str
    important: bool
    audience: str
    starts_at: datetime
    ends_at: datetime | None
    category_name: str
    is_read: bool = False

    @property
    def published_on(self) -> date:
        return timezone.localdate(self.starts_at)

    @classmethod
    def of(cls, notice: Notice) -> "KeptNotice":
        return cls(
            notice.pk,
            notice.title,
            notice.important,
            notice.audience,
            notice.starts_at,
            notice.ends_at,
            notice.category.name,
        )


def _cache():
    # The cards' cache (as the version's): shared by every process in production; in
    # development without Redis it keeps nothing, and every view reads the notices.
    return caches["template_fragments"]


def _version_key(tenant_id: int) -> str:
    return f"notices-version:{tenant_id}"


def notices_version(tenant_id: int) -> str:
    return freshness.token(_version_key(tenant_id))


def notices_changed(tenant_id: int) -> None:
    """The town's live notices are read again by the next view: now, and when the
    transaction commits (see the module's docstring)."""
    freshness.replace(_version_key(tenant_id))


def _read(tenant_id: int, now: datetime) -> tuple[list[KeptNotice], datetime | None]:
    """The live notices, and the next start or end of one of the town's notices."""
    # The published notices not ended yet: the live ones, and those still to start,
    # which say when the list changes next.
    published = (
        Notice.objects.filter(tenant_id=tenant_id, status=Notice.Status.PUBLISHED)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("category")
        .defer("body")
        .newest_first()
    )
    notices, changes = [], []
    for notice in published:
        if notice.starts_at > now:
            changes.append(notice.starts_at)
            continue
        notices.append(KeptNotice.of(notice))
        if notice.ends_at is not None:
            changes.append(notice.ends_at)
    return notices, min(changes, default=None)


def live_notices(tenant_id: int, now: datetime) -> list[KeptNotice]:
    """The town's notices someone may see at ``now``, newest first: what
    ``Notice.objects.filter(tenant_id=…).live(now)`` gives, kept (see above)."""
    version = notices_version(tenant_id)
    key = f"notices-live:{FORMAT}:{tenant_id}:{version}"
    cache = _cache()
    kept = cache.get(key)
    # Not past the next start or end, which the list does not know of.
    if kept is not None and (kept[0] is None or now < kept[0]):
        notices = [KeptNotice(*values) for values in kept[1]]
        # Those live at ``now``: a clock set back (a test's) would show more.
        return [n for n in notices if n.starts_at <= now]
    notices, until = _read(tenant_id, now)
    seconds = min(settings.HOME_CACHE_SECONDS, KEEP_SECONDS)
    if seconds > 0:
        # Plain values only: what is unpickled from the shared cache never depends on
        # this module's classes.
        cache.set(key, (until, [astuple(n) for n in notices]), seconds)
    return notices


def member_view(member, now: datetime) -> list[KeptNotice]:
    """The notices ``member`` sees at ``now`` (``Notice.objects.visible_to``), newest
    first, each with ``is_read``: at most two plain queries beside the kept list, and
    none on a later view while nothing changed (the member's reads kept: ``_read_of``)."""
    notices = live_notices(member.tenant_id, now)
    chosen = [n.pk for n in notices if n.audience not in Notice.EVERY_MEMBER]
    theirs: set[int] = set()
    if chosen:
        theirs = set(
            targets_of(member, now).filter(notice_id__in=chosen).values_list("notice_id", flat=True)
        )
    seen = [n for n in notices if n.audience in Notice.EVERY_MEMBER or n.pk in theirs]
    read = _read_of(member, [n.pk for n in notices]) if seen else set()
    for notice in seen:
        notice.is_read = notice.pk in read
    return seen


def _reads_version_key(member_id: int) -> str:
    return f"notice-reads-version:{member_id}"


# A member's reads are kept for as long as the town's list at most: a version whose
# replacement was lost (Redis unreachable from the process that marked the read, or a
# process of the release before, which did not replace it) shows within a minute. The
# version outlives every set kept under it, and then lapses, so that the members do not
# each leave a key in Redis for good.
READS_VERSION_SECONDS = 2 * KEEP_SECONDS


def _reads_seconds() -> int:
    return min(settings.HOME_CACHE_SECONDS, KEEP_SECONDS)


def reads_changed(member_id: int) -> None:
    """The member read a notice: their next view reads their reads again (now, and when
    the transaction commits, as ``notices_changed``), whatever this process keeps."""
    freshness.replace(_reads_version_key(member_id), timeout=READS_VERSION_SECONDS)


def _read_of(member, ids: list[int]) -> set[int]:
    """Which of the notices ``ids`` the member has read: one query, kept under the
    member's reads version (replaced by ``reads_changed``) and the ids themselves, so a
    notice published, withdrawn or ended asks again; a lapsed version only means a
    query."""
    query = NoticeRead.objects.filter(member_id=member.pk, notice_id__in=ids)
    seconds = _reads_seconds()
    if seconds <= 0:
        return set(query.values_list("notice_id", flat=True))
    version = freshness.token(_reads_version_key(member.pk), timeout=READS_VERSION_SECONDS)
    listed = hashlib.blake2s(",".join(map(str, sorted(ids))).encode(), digest_size=8)
    key = f"notice-reads:{FORMAT}:{member.pk}:{version}:{listed.hexdigest()}"
    cache = _cache()
    kept = cache.get(key)
    if kept is not None:
        return set(kept)
    read = set(query.values_list("notice_id", flat=True))
    cache.set(key, sorted(read), seconds)
    return read

"""Which version of a town's 利用規約 and 個人情報の取り扱い is current, and who accepted it.

Reads and the small writes the actions build on (``tenants.actions.do_create_tenant``,
``accounts.actions``): the first versions of a new town, and a member's acceptances.
"""

import difflib

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from waterportal.tenants.models import TextAcceptance, TextKind, TextVersion

FIRST_LABEL = "第1版"

TEXT_FIELDS = {TextKind.TERMS: "terms_text", TextKind.PRIVACY: "privacy_text"}


def current_versions(tenant) -> list[TextVersion]:
    """The newest version of each kind (利用規約 first); none for a kind never published.

    Newest by order of publication (the id), which a clock set back cannot reorder."""
    newest: dict[str, TextVersion] = {}
    for version in TextVersion.objects.filter(tenant=tenant).order_by("-pk"):
        newest.setdefault(version.kind, version)
    return [newest[kind] for kind in TextKind.values if kind in newest]


def _current_key(tenant_id: int) -> str:
    return f"texts-current:{tenant_id}"


def kept_current_ids(tenant_id: int) -> tuple[int, ...]:
    """The ids of ``current_versions``, kept by this process for
    ``TENANT_CACHE_SECONDS`` as the town's row is (``tenants.lookup``): every member page
    asks, and a new version reaches the other processes within those seconds."""
    cache, key = caches["process"], _current_key(tenant_id)
    ids = cache.get(key)
    if ids is None:
        ids = tuple(v.pk for v in current_versions(tenant_id))
        cache.set(key, ids, settings.TENANT_CACHE_SECONDS)
    return ids


def _forget(tenant_id: int) -> None:
    # Now, and again when the publication commits: a page of this process that read the
    # versions in between would keep the old ones.
    def forget() -> None:
        caches["process"].delete(_current_key(tenant_id))

    forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget)


@receiver(post_save, sender=TextVersion)
@receiver(post_delete, sender=TextVersion)
def _forget_current(sender, instance: TextVersion, **kwargs) -> None:
    _forget(instance.tenant_id)


def pending_versions(member) -> list[TextVersion]:
    """The current versions of the member's town the member has not accepted yet."""
    current = current_versions(member.tenant_id)
    if not current:
        return []
    accepted = set(
        TextAcceptance.objects.filter(
            member=member, version__in=[v.pk for v in current]
        ).values_list("version_id", flat=True)
    )
    return [v for v in current if v.pk not in accepted]


def texts_check(member, remembered: list[int] | None) -> tuple[bool, list[int] | None]:
    """Whether ``member`` has current texts to accept, and what to remember for next time.

    ``remembered``: the ids of the town's current versions the member was last found to
    have accepted, as a web session or an app sign-in keeps them; while they are still
    the current ones (``kept_current_ids``), nothing is read. Returns ``(pending, ids)``:
    ``ids`` is what to remember from now on (the current ids once the member is found
    to have accepted them all; else ``remembered`` as it was). A member's acceptances are
    never taken back, so remembering them is safe until a version is published."""
    current = list(kept_current_ids(member.tenant_id))
    if not current or remembered == current:
        return False, remembered
    if pending_versions(member):
        return True, remembered
    return False, current


def record_acceptance(member, versions, *, now) -> list[TextAcceptance]:
    """The member agreed to ``versions`` at ``now``; a version already accepted keeps its
    first time (a double click records nothing twice). Returns the new rows."""
    already = set(
        TextAcceptance.objects.filter(member=member, version__in=versions).values_list(
            "version_id", flat=True
        )
    )
    rows = [
        TextAcceptance(member=member, version=v, accepted_at=now)
        for v in versions
        if v.pk not in already
    ]
    with transaction.atomic():
        TextAcceptance.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def start_versions(tenant, *, now) -> None:
    """A new town's texts become its 第1版, published when the town is created."""
    TextVersion.objects.bulk_create(
        TextVersion(tenant=tenant, kind=kind, label=FIRST_LABEL, text=text, published_at=now)
        for kind, field in TEXT_FIELDS.items()
        if (text := getattr(tenant, field))
    )
    _forget(tenant.pk)


def previously_accepted(member, version: TextVersion) -> TextVersion | None:
    """The last version of the same text the member accepted before ``version``."""
    row = (
        TextAcceptance.objects.filter(member=member, version__kind=version.kind)
        .exclude(version=version)
        .select_related("version")
        .order_by("-version__pk")
        .first()
    )
    return row.version if row is not None else None


def changes(old: str, new: str) -> tuple[list[str], list[str]]:
    """What a reader of ``old`` should look at in ``new``: the lines added or changed,
    and the lines taken out (blank lines left aside)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    added: list[str] = []
    removed: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("replace", "insert"):
            added += [line for line in new_lines[b1:b2] if line.strip()]
        if op in ("replace", "delete"):
            removed += [line for line in old_lines[a1:a2] if line.strip()]
    return added, removed

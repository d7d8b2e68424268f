"""The staff's writes on their town's help: entries, their order, categories, and the
default set. Each is one transaction with one audit row (the help holds no personal
data, so its ``before``/``after`` may show the question itself)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_scopes import scope

from waterportal.audit.actions import record
from waterportal.helpcentre import defaults
from waterportal.helpcentre.models import HelpCategory, HelpEntry
from waterportal.tenants.models import Tenant

# What the console's form may change on an entry.
ENTRY_FIELDS = ("category", "question", "answer", "keywords", "is_published")
FIELD_WORDS = {
    "category": "分類",
    "question": "質問",
    "answer": "回答",
    "keywords": "検索用の言葉",
    "is_published": "公開",
}
# Recorded word for word in the audit row; the answer and keywords only as "changed".
SHOWN_FIELDS = ("question", "is_published")


class HelpError(Exception):
    """Base of the refusals of this module."""


class NotDefault(HelpError):
    """The entry was written by the town, so it has no default text to go back to."""


class CategoryInUse(HelpError):
    """The category still has entries."""


def _check_category(tenant: Tenant, category: HelpCategory) -> None:
    if category.tenant_id != tenant.pk:
        raise ValueError("the category belongs to another town")


def _shown(field: str, value):
    return value.name if isinstance(value, HelpCategory) else value


def do_create_entry(
    tenant: Tenant,
    *,
    category: HelpCategory,
    question: str,
    answer: str,
    keywords: str = "",
    is_published: bool = True,
    actor,
    source: str | None = None,
    now=None,
) -> HelpEntry:
    """Add an entry at the end of ``category``; recorded as ``help_entry_created``."""
    _check_category(tenant, category)
    now = now or timezone.now()
    with transaction.atomic():
        last = HelpEntry.objects.filter(tenant=tenant, category=category).aggregate(m=Max("order"))[
            "m"
        ]
        entry = HelpEntry.objects.create(
            tenant=tenant,
            category=category,
            question=question,
            answer=answer,
            keywords=keywords,
            is_published=is_published,
            order=(last or 0) + 10,
            updated_by=actor,
            updated_at=now,
        )
        record(
            tenant,
            "help_entry_created",
            actor=actor,
            source=source,
            now=now,
            entry=entry.pk,
            question=question,
            category=category.name,
        )
    return entry


def do_edit_entry(entry: HelpEntry, changes: dict, *, actor, source=None, now=None) -> list[str]:
    """Apply ``changes`` (field → value, from ``ENTRY_FIELDS``); returns the fields that
    really changed (none: nothing written). Recorded as ``help_entry_changed``. An entry
    moved to another category goes to its end."""
    unknown = set(changes) - set(ENTRY_FIELDS)
    if unknown:
        raise ValueError(f"not a help entry field: {sorted(unknown)}")
    if "category" in changes:
        _check_category(entry.tenant, changes["category"])
    now = now or timezone.now()
    changed = [f for f, value in changes.items() if getattr(entry, f) != value]
    if not changed:
        return []
    before = {f: _shown(f, getattr(entry, f)) for f in changed if f in (*SHOWN_FIELDS, "category")}
    with transaction.atomic():
        for field in changed:
            setattr(entry, field, changes[field])
        fields = [*changed, "updated_by", "updated_at"]
        if "category" in changed:
            last = HelpEntry.objects.filter(tenant=entry.tenant, category=entry.category).aggregate(
                m=Max("order")
            )["m"]
            entry.order = (last or 0) + 10
            fields.append("order")
        entry.updated_by, entry.updated_at = actor, now
        entry.save(update_fields=fields)
        record(
            entry.tenant,
            "help_entry_changed",
            actor=actor,
            source=source,
            now=now,
            entry=entry.pk,
            changed=[str(FIELD_WORDS[f]) for f in changed],
            before=before,
            after={f: _shown(f, getattr(entry, f)) for f in before},
        )
    return changed


def do_delete_entry(entry: HelpEntry, *, actor, source=None, now=None) -> None:
    """Delete the entry (a default one comes back with ``do_restore_defaults``)."""
    with transaction.atomic():
        record(
            entry.tenant,
            "help_entry_deleted",
            actor=actor,
            source=source,
            now=now,
            entry=entry.pk,
            question=entry.question,
        )
        entry.delete()


def do_move_entry(entry: HelpEntry, direction: str, *, actor, source=None, now=None) -> bool:
    """Swap the entry with its neighbour above (``"up"``) or below (``"down"``) in its
    category; False when it is already first or last (nothing written)."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    with transaction.atomic():
        siblings = list(
            HelpEntry.objects.select_for_update()
            .filter(tenant=entry.tenant, category_id=entry.category_id)
            .order_by("order", "pk")
        )
        at = next(i for i, e in enumerate(siblings) if e.pk == entry.pk)
        other = at - 1 if direction == "up" else at + 1
        if not 0 <= other < len(siblings):
            return False
        siblings[at], siblings[other] = siblings[other], siblings[at]
        # Renumbered in steps of 10: two entries with the same order swap for sure.
        for position, sibling in enumerate(siblings, start=1):
            if sibling.order != position * 10:
                sibling.order = position * 10
                sibling.save(update_fields=["order"])
        record(
            entry.tenant,
            "help_entry_moved",
            actor=actor,
            source=source,
            now=now,
            entry=entry.pk,
            question=entry.question,
            direction="上へ" if direction == "up" else "下へ",
        )
    return True


def do_create_category(tenant: Tenant, name: str, *, actor, source=None, now=None) -> HelpCategory:
    """Add a category after the others; recorded as ``help_category_created``."""
    with transaction.atomic():
        last = HelpCategory.objects.filter(tenant=tenant).aggregate(m=Max("order"))["m"]
        category = HelpCategory.objects.create(tenant=tenant, name=name, order=(last or 0) + 10)
        record(
            tenant,
            "help_category_created",
            actor=actor,
            source=source,
            now=now,
            category=name,
        )
    return category


def do_delete_category(category: HelpCategory, *, actor, source=None, now=None) -> None:
    """Delete an empty category; raises ``CategoryInUse`` while it has entries."""
    with transaction.atomic():
        if HelpEntry.objects.filter(tenant=category.tenant, category=category).exists():
            raise CategoryInUse
        record(
            category.tenant,
            "help_category_deleted",
            actor=actor,
            source=source,
            now=now,
            category=category.name,
        )
        category.delete()


def do_reset_entry(entry: HelpEntry, *, actor, source=None, now=None) -> list[str]:
    """Put a default entry back to the default text, with the town's current name,
    office and phone; raises ``NotDefault`` for an entry the town wrote."""
    default = defaults.BY_KEY.get(entry.key)
    if default is None:
        raise NotDefault
    changes = {
        "question": default.question,
        "answer": defaults.render(default.answer, entry.tenant),
        "keywords": default.keywords,
    }
    return do_edit_entry(entry, changes, actor=actor, source=source, now=now)


def do_restore_defaults(tenant: Tenant, *, actor, source=None, now=None) -> int:
    """Add back the default categories and entries the town deleted (the others are
    left as the town edited them); returns how many entries came back."""
    now = now or timezone.now()
    with scope(tenant=tenant), transaction.atomic():
        added = defaults.install(tenant, HelpCategory, HelpEntry, now=now)
        record(
            tenant,
            "help_defaults_restored",
            actor=actor,
            source=source,
            now=now,
            count=added,
        )
    return added

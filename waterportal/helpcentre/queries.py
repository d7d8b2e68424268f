"""Reads of a town's help, for its page and for the console's "try the search", and
the count of the questions residents typed."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac

from waterportal.helpcentre import search
from waterportal.helpcentre.models import HelpCategory, HelpEntry, HelpSearchDay

# The answers shown for a question: a resident reads the first few only.
SHOWN_ANSWERS = 5


@dataclass
class Section:
    category: HelpCategory
    entries: list[HelpEntry]


def published_help(tenant) -> list[Section]:
    """The town's categories in order, each with its published entries (categories
    with none left out)."""
    by_category: dict[int, list[HelpEntry]] = {}
    for entry in HelpEntry.objects.filter(tenant=tenant, is_published=True).order_by("order", "pk"):
        by_category.setdefault(entry.category_id, []).append(entry)
    return [
        Section(category, by_category[category.pk])
        for category in HelpCategory.objects.filter(tenant=tenant)
        if category.pk in by_category
    ]


def answers(tenant, question: str, *, published_only: bool = True) -> list[HelpEntry]:
    """The town's best entries for ``question`` (at most ``SHOWN_ANSWERS``), or none
    when nothing matches well. Scored in Python over all the town's entries
    (``search``): a town has a few dozen."""
    entries = HelpEntry.objects.filter(tenant=tenant).select_related("category")
    if published_only:
        entries = entries.filter(is_published=True)
    documents = [search.Document(e, e.question, e.keywords, e.answer) for e in entries]
    hits = search.answers(documents, question, limit=SHOWN_ANSWERS)
    return [hit.ref for hit in hits if isinstance(hit.ref, HelpEntry)]


def count_search(tenant, *, answered: bool, now=None) -> None:
    """Count one question typed on the help page (its words are not kept)."""
    day = timezone.localdate(now or timezone.now())
    HelpSearchDay.objects.get_or_create(tenant=tenant, day=day)
    HelpSearchDay.objects.filter(tenant=tenant, day=day).update(
        searches=F("searches") + 1, unanswered=F("unanswered") + (0 if answered else 1)
    )


# The session's last questions, as short keyed hashes: one asked again (a reload, the
# back button, a shared link opened twice) counts once.
ASKED_KEY = "help_asked"
ASKED_KEPT = 10


def first_time_asked(session, tenant, question: str) -> bool:
    """Whether this session asks ``question`` of the town for the first time (among its
    last ``ASKED_KEPT`` questions), remembering it. The question is kept only as a
    short hash keyed with the secret key, of its normalised form (width, kana, case and
    spaces folded), never in clear."""
    folded = " ".join(search.normalize(question).split())
    digest = salted_hmac(
        "waterportal.helpcentre.asked", f"{tenant.pk}:{folded}", algorithm="sha256"
    ).hexdigest()[:16]
    asked = session.get(ASKED_KEY)
    asked = [a for a in asked if isinstance(a, str)] if isinstance(asked, list) else []
    if digest in asked:
        return False
    session[ASKED_KEY] = (asked + [digest])[-ASKED_KEPT:]
    return True


def search_counts(tenant, *, days: int = 30, now=None) -> dict[str, int]:
    """The questions of the last ``days`` days, and those that found no answer."""
    since = timezone.localdate(now or timezone.now()) - dt.timedelta(days=days - 1)
    totals = HelpSearchDay.objects.filter(tenant=tenant, day__gte=since).aggregate(
        searches=Sum("searches"), unanswered=Sum("unanswered")
    )
    return {key: value or 0 for key, value in totals.items()}

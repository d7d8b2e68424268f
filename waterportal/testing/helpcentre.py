"""Test helpers for the help centre: the quality set and a town's help as the search
reads it."""

from pathlib import Path

from django_scopes import scope

from waterportal.helpcentre import search
from waterportal.helpcentre.models import HelpEntry

QUESTIONS = Path(__file__).resolve().parents[1] / "helpcentre" / "tests" / "questions.tsv"


def quality_questions() -> list[tuple[str, str]]:
    """(question, expected key) pairs of ``helpcentre/tests/questions.tsv``."""
    pairs = []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, key = line.split("\t")
            pairs.append((question, key))
    return pairs


def documents_of(tenant) -> list[search.Document]:
    """The town's published entries as the search reads them, each referring to its key."""
    with scope(tenant=tenant):
        return [
            search.Document(e.key, e.question, e.keywords, e.answer)
            for e in HelpEntry.objects.filter(tenant=tenant, is_published=True)
        ]


def help_entry(tenant, key: str) -> HelpEntry:
    with scope(tenant=tenant):
        return HelpEntry.objects.select_related("category").get(tenant=tenant, key=key)

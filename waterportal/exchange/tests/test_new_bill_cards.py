"""Each batch of new-bill emails draws its members' home cards before the emails are
sent, so that their first view after the import reads them as a later view does
(``billing.warming``), and finds the same page."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waterportal.billing.warming import warm_home
from waterportal.contracts.models import Customer, Link
from waterportal.testing import (
    BILLS,
    CUSTOMERS,
    WEDNESDAY,
    Importer,
    bill_row,
    choose_language,
    csv_bytes,
    customer_row,
    mails_to,
    make_member,
    sign_in,
    text_of,
)

pytestmark = pytest.mark.usefixtures("clock")
EARLIER = WEDNESDAY - dt.timedelta(days=400)


@pytest.fixture
def importer(tmp_path, django_capture_on_commit_callbacks):
    """Imports as production does: after its COMMIT the import queues the new-bill task,
    which runs at once (the tests' queue is eager)."""
    base = Importer(tmp_path)

    def run(tenant, kind, data):
        with django_capture_on_commit_callbacks(execute=True):
            run = base(tenant, kind, data)
        assert run.status == "succeeded", run.report
        return run

    return run


def kept_fragments() -> dict[str, str]:
    """The home page's fragments kept, by name ("home-summary", "home-cards")."""
    cache = caches["template_fragments"]
    kept = {}
    for raw in list(cache._cache):  # type: ignore[attr-defined]
        # LocMemCache keeps ":<version>:<key>"; the key is 'template.cache."<name>".<hash>'.
        key = raw.split(":", 2)[2]
        if key.startswith('template.cache."home-'):
            kept[key.split(".")[2].strip('"')] = cache.get(key)
    return kept


def bill_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "billing_bill" in q["sql"]]


def without_csrf(html: bytes) -> str:
    """The page, its masked CSRF tokens (new in every response) left out."""
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html.decode())


@pytest.fixture
def two_contracts(tenant, importer):
    """A member with two contracts of おうむ町 and thirteen months of bills each, so that
    the cards show the summary and both comparisons (the month before, a year earlier)."""
    rows = [customer_row("1001-0001"), customer_row("1001-0002", kana="ヤマダ ハナコ")]
    importer(tenant, "customers", csv_bytes(CUSTOMERS, *rows))
    member = make_member(tenant)
    for number in ("10010001", "10010002"):
        Link.objects.create(
            tenant=tenant,
            member=member,
            customer=Customer.objects.get(tenant=tenant, number=number),
            relationship="本人",
            created_at=EARLIER,
            active_from=EARLIER.date(),
        )
    months = [f"2025-{m:02d}" for m in range(9, 13)] + [f"2026-{m:02d}" for m in range(1, 10)]
    for month in months:
        importer(tenant, "bills", bill_month(month))
    mail.outbox.clear()
    caches["template_fragments"].clear()  # what the earlier imports kept
    return member


def bill_month(month: str, water: int = 2530):
    year, number = (int(part) for part in month.split("-"))
    due = dt.date(year + number // 12, number % 12 + 1, 1) - dt.timedelta(days=1)
    rows = [
        bill_row(n, month, reading_date=f"{month}-08", due=due.isoformat(), water=water)
        for n in ("1001-0001", "1001-0002")
    ]
    return csv_bytes(BILLS, *rows)


@pytest.mark.parametrize("language", ["", "en", "ja-easy"])
def test_the_first_view_after_the_new_bill_task_reads_the_cards_it_drew(
    tenant, two_contracts, importer, portal, client, language
):
    member = two_contracts
    if language:
        # The footer's switch: the page follows the cookie, the account notes the choice.
        choose_language(client, language)
        member.language = language
        member.save(update_fields=["language"])
    importer(tenant, "bills", bill_month("2026-10", water=3456))
    assert mails_to(member.email), "the new-bill email is written as before"
    warmed = kept_fragments()
    assert len(warmed) == 2, "the summary and the cards, for this member and language"

    sign_in(portal, member)
    with CaptureQueriesContext(connection) as queries:
        first = portal.get("/")
    assert first.status_code == 200
    assert bill_queries(queries) == [], "the first view reads the cards drawn ahead"
    assert "3,456" in text_of(first)

    # The same page drawn cold: no card kept, a new cards version.
    caches["template_fragments"].clear()
    with CaptureQueriesContext(connection) as queries:
        cold = portal.get("/")
    assert bill_queries(queries), "the cold view draws the cards"
    drawn = kept_fragments()
    assert drawn == warmed, "the same fragments, to the byte"
    assert without_csrf(cold.content) == without_csrf(first.content)


def test_the_cards_are_drawn_in_the_language_noted_on_the_account(
    tenant, two_contracts, importer, portal, client
):
    member = two_contracts
    member.language = "en"
    member.save(update_fields=["language"])
    importer(tenant, "bills", bill_month("2026-10"))
    (cards,) = (v for k, v in kept_fragments().items() if "home-cards" in k)
    assert "¥" in cards and "円" not in cards


def test_only_the_members_told_get_their_cards_drawn(tenant, two_contracts, importer):
    quiet = make_member(tenant, "quiet@example.jp")
    quiet.notify_new_bill = False
    quiet.save(update_fields=["notify_new_bill"])
    Link.objects.create(
        tenant=tenant,
        member=quiet,
        customer=Customer.objects.get(tenant=tenant, number="10010001"),
        relationship="家族",
        created_at=EARLIER,
        active_from=EARLIER.date(),
    )
    importer(tenant, "bills", bill_month("2026-10"))
    assert len(kept_fragments()) == 2  # the member who is told; the quiet one on their view
    assert mails_to(two_contracts.email) and not mails_to("quiet@example.jp")


def test_without_a_cards_cache_nothing_is_drawn_and_the_emails_go_out(
    tenant, two_contracts, importer, settings
):
    settings.HOME_CACHE_SECONDS = 0
    importer(tenant, "bills", bill_month("2026-10"))
    assert kept_fragments() == {}
    assert mails_to(two_contracts.email)


def test_drawing_a_batch_runs_the_same_queries_however_many_members(tenant, two_contracts):
    from django_scopes import scope

    others = [make_member(tenant, f"m{i}@example.jp") for i in range(5)]
    for other in others:
        Link.objects.create(
            tenant=tenant,
            member=other,
            customer=Customer.objects.get(tenant=tenant, number="10010002"),
            relationship="家族",
            created_at=EARLIER,
            active_from=EARLIER.date(),
        )
    with scope(tenant=tenant):
        with CaptureQueriesContext(connection) as one:
            assert warm_home(tenant, [(two_contracts.pk, "")]) == 2
        caches["template_fragments"].clear()
        with CaptureQueriesContext(connection) as six:
            batch = [(two_contracts.pk, "")] + [(o.pk, "") for o in others]
            assert warm_home(tenant, batch) == 12
        caches["template_fragments"].clear()
        with CaptureQueriesContext(connection) as languages:
            batch = [(two_contracts.pk, "en")] + [(o.pk, "ja-easy") for o in others]
            assert warm_home(tenant, batch) == 12
    assert len(six.captured_queries) == len(one.captured_queries) == 2
    # The cards are drawn in each language's own words: two queries a language.
    assert len(languages.captured_queries) == 4

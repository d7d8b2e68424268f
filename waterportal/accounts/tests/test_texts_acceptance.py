"""After a town publishes a new 利用規約 or 個人情報の取り扱い, each of its members is asked
to accept it once, at their next page, and nothing else opens until they do; another
town's members are never asked; registration records the versions agreed to."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from waterportal.accounts.actions import do_accept_text_versions, do_publish_text_version
from waterportal.audit.models import AuditEvent
from waterportal.tenants.models import TextAcceptance, TextVersion
from waterportal.tenants.versions import current_versions, pending_versions
from waterportal.testing import (
    STRONG_PASSWORD,
    full_registration,
    make_customer,
    make_link,
    make_member,
    sign_in,
)

NEW_TERMS_LINE = "第9条（新しい条文）会員は、新しい条文に従います。"


def publish(tenant, kind="terms", label="2026年12月版", *, extra=NEW_TERMS_LINE):
    current = next(v for v in current_versions(tenant) if v.kind == kind)
    return do_publish_text_version(
        tenant, kind, label, current.text + "\n" + extra, actor=None, source=None
    )


def test_a_member_is_not_asked_while_the_texts_they_accepted_are_current(signed_in, link):
    assert signed_in.get("/").status_code == 200
    assert signed_in.get("/account").status_code == 200


def text_reads_and_session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "tenants_text" in q["sql"]
        or q["sql"].startswith(('UPDATE "django_session"', 'INSERT INTO "django_session"'))
    ]


def test_the_first_page_after_signing_in_reads_no_acceptance_and_writes_no_session(
    portal, member, link
):
    sign_in(portal, member)
    with CaptureQueriesContext(connection) as queries:
        assert portal.get("/").status_code == 200
    assert text_reads_and_session_writes(queries) == []


def test_after_agreeing_to_a_new_version_later_pages_read_the_acceptances_no_more(
    signed_in, tenant, link
):
    version = publish(tenant)
    signed_in.post("/terms/accept", {"version": version.pk})
    assert signed_in.get("/").status_code == 200  # read once, and noted
    with CaptureQueriesContext(connection) as queries:
        assert signed_in.get("/account").status_code == 200
    assert text_reads_and_session_writes(queries) == []


def test_after_a_new_version_the_next_login_leads_to_the_page_that_asks(
    portal, tenant, member, link, clock
):
    publish(tenant)
    portal.open_tenant()
    login = portal.post("/login", {"email": member.email, "password": STRONG_PASSWORD})
    asked = portal.get(login.url)
    assert asked.status_code == 302 and asked.url == "/terms/accept?next=%2F"

    page = portal.get(asked.url)
    assert page.status_code == 200
    assert "規約が新しくなりました" in page.text and "2026年12月版" in page.text
    changed = page.text.split("変わったところ")[1].split("全文")[0]
    assert NEW_TERMS_LINE in changed  # what changed, apart from the whole text
    assert "同意する" in page.text and 'action="/logout"' in page.text
    assert 'name="viewport"' in page.text  # laid out for a phone
    assert "個人情報の取り扱い（" not in page.text  # only what changed is asked


def test_a_member_already_signed_in_is_asked_at_their_next_page(signed_in, tenant, link):
    # Seen with the texts accepted first, which the session remembers.
    assert signed_in.get("/").status_code == 200
    publish(tenant)
    for path in ("/", "/account", f"/contracts/{link.pk}/history", "/account/notifications"):
        page = signed_in.get(path)
        assert page.status_code == 302 and page.url.startswith("/terms/accept"), path


def test_nothing_of_the_members_pages_opens_not_even_a_form_post(signed_in, tenant, member):
    publish(tenant)
    done = signed_in.post("/account/notifications", {"notify_new_bill": ""})
    assert done.status_code == 302 and done.url == "/terms/accept"  # no way back to a POST
    member.refresh_from_db()
    assert member.notify_new_bill is True


def test_agreeing_records_the_time_and_goes_where_the_member_was_going(
    signed_in, tenant, member, link, clock
):
    version = publish(tenant)
    clock.shift(dt.timedelta(minutes=3))
    page = signed_in.get("/terms/accept", {"next": f"/contracts/{link.pk}/history"})
    assert f'name="version" value="{version.pk}"' in page.text

    done = signed_in.post(
        "/terms/accept", {"version": version.pk, "next": f"/contracts/{link.pk}/history"}
    )
    assert done.status_code == 302 and done.url == f"/contracts/{link.pk}/history"
    row = TextAcceptance.objects.get(member=member, version=version)
    assert row.accepted_at == dt.datetime(2026, 11, 25, 1, 3, tzinfo=dt.UTC)
    assert signed_in.get(done.url).status_code == 200


def test_agreeing_is_on_record_with_member_and_version(signed_in, tenant, member):
    terms, privacy = publish(tenant), publish(tenant, "privacy", extra="新しい取り扱い")
    signed_in.post("/terms/accept", {"version": [terms.pk, privacy.pk]})
    events = AuditEvent.objects.filter(action="terms_accepted").order_by("pk")
    assert [(e.member, e.data) for e in events] == [
        (member, {"kind": "terms", "version": terms.pk}),
        (member, {"kind": "privacy", "version": privacy.pk}),
    ]
    assert all(e.source and e.tenant == tenant and e.actor is None for e in events)


def test_a_member_is_asked_once_and_never_again_after_agreeing(signed_in, tenant, member, clock):
    version = publish(tenant)
    signed_in.post("/terms/accept", {"version": version.pk})
    again = signed_in.post("/terms/accept", {"version": version.pk})  # a second click
    assert again.status_code == 302 and again.url == "/"
    assert TextAcceptance.objects.filter(member=member, version=version).count() == 1
    assert AuditEvent.objects.filter(action="terms_accepted").count() == 1

    signed_in.post("/logout")
    clock.shift(dt.timedelta(days=30))
    sign_in(signed_in, member)
    assert signed_in.get("/").status_code == 200
    assert signed_in.get("/terms/accept").url == "/"  # nothing to ask


def test_an_unsafe_next_goes_to_the_home_page(signed_in, tenant):
    version = publish(tenant)
    done = signed_in.post("/terms/accept", {"version": version.pk, "next": "https://evil.example/"})
    assert done.url == "/"


def test_a_version_published_while_the_page_was_open_is_asked_next(signed_in, tenant, member):
    shown = publish(tenant)
    newer = publish(tenant, label="2027年1月版", extra="さらに新しい条文")
    page = signed_in.post("/terms/accept", {"version": shown.pk})
    assert page.status_code == 200 and "2027年1月版" in page.text
    assert not TextAcceptance.objects.filter(member=member, version=shown).exists()
    signed_in.post("/terms/accept", {"version": newer.pk})
    assert signed_in.get("/").status_code == 200


def test_the_member_can_log_out_from_the_page_that_asks(signed_in, tenant):
    publish(tenant)
    out = signed_in.post("/logout")
    assert out.status_code == 302 and out.url.startswith("/login")
    assert signed_in.get("/terms/accept").url.startswith("/login")


def test_the_page_that_asks_needs_a_signed_in_member(portal, tenant):
    assert portal.get("/terms/accept").url.startswith("/login")


def test_another_towns_new_version_never_asks_this_towns_members(
    signed_in, tenant, other_tenant, link
):
    publish(other_tenant)
    assert signed_in.get("/").status_code == 200
    assert pending_versions(link.member) == []


def test_kita_members_are_not_asked_when_oumu_publishes(other_portal, tenant, other_tenant, clock):
    kita = make_member(other_tenant, email="kita@example.jp", name="きた 次郎")
    make_link(kita, make_customer(other_tenant, number="55550001", kana="キタ ジロウ"))
    publish(tenant)
    sign_in(other_portal, kita)
    assert other_portal.get("/").status_code == 200


def test_a_member_cannot_accept_another_towns_version(signed_in, tenant, other_tenant, member):
    kita_version = publish(other_tenant)
    assert do_accept_text_versions(member, [kita_version.pk], source="203.0.113.1") == []
    signed_in.post("/terms/accept", {"version": kita_version.pk})
    assert not TextAcceptance.objects.filter(version=kita_version).exists()


def test_the_page_is_in_english_for_a_member_who_chose_it(signed_in, tenant):
    publish(tenant)
    signed_in.client.cookies["django_language"] = "en"
    page = signed_in.get("/terms/accept")
    assert "The terms have changed" in page.text and "I agree" in page.text


def test_registration_records_the_acceptance_of_the_current_versions(portal, tenant, clock):
    make_customer(tenant)
    terms = publish(tenant)
    full_registration(portal)
    member = TextAcceptance.objects.get(version=terms).member
    accepted = TextAcceptance.objects.filter(member=member).order_by("version__kind")
    assert {a.version for a in accepted} == set(current_versions(tenant))
    assert all(a.accepted_at == member.date_joined for a in accepted)
    event = AuditEvent.objects.get(action="member_registered")
    assert sorted(event.data["versions"]) == sorted(v.pk for v in current_versions(tenant))
    assert pending_versions(member) == []


def test_the_console_shows_what_the_member_accepted_and_what_is_pending(
    console_as, tenant, member, clock
):
    page = console_as("viewer").get(f"/staff/members/{member.pk}")
    assert (
        "利用規約「第1版」に同意" in page.text and "個人情報の取り扱い「第1版」に同意" in page.text
    )
    publish(tenant)
    page = console_as("clerk").get(f"/staff/members/{member.pk}")
    assert "まだ同意していない現在の版：利用規約「2026年12月版」" in page.text


def test_versions_stay_once_published(tenant):
    first = current_versions(tenant)[0]
    publish(tenant)
    assert TextVersion.objects.get(pk=first.pk).text == first.text

"""The resident's side: a member's form, history and thread; a guest's code, form and link."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from waterportal.audit.models import AuditEvent
from waterportal.inquiries import actions
from waterportal.inquiries.models import GuestLink, Inquiry, Status
from waterportal.testing import (
    code_from_mail,
    mails_to,
    make_customer,
    make_link,
    make_member,
    text_of,
)
from waterportal.testing.inquiries import QUESTION, confirm_guest, make_inquiry, send_inquiry

pytestmark = pytest.mark.usefixtures("clock")
GUEST = "guest@example.jp"


def test_a_member_sends_an_inquiry_and_gets_its_reference_by_mail(signed_in, member, link):
    response = send_inquiry(signed_in, customer=str(link.customer_id))
    assert response.status_code == 302 and response.url == "/inquiries/done"
    inquiry = Inquiry.objects.get()
    assert inquiry.member == member and inquiry.customer == link.customer
    assert inquiry.reference == "Q-2026-000001" and inquiry.status == Status.NEW
    assert inquiry.reference in text_of(signed_in.get("/inquiries/done"))
    (mail,) = mails_to(member.email)
    assert inquiry.reference in mail.subject
    assert f"/inquiries/{inquiry.pk}?tenant=oumu" in mail.body
    assert "来月" not in mail.body and "手続きについて" not in mail.body  # no body, no subject
    event = AuditEvent.objects.get(action="inquiry_submitted")
    assert event.member == member and "body" not in event.data and "subject" not in event.data


def test_the_form_links_the_help_page(signed_in):
    page = signed_in.get("/inquiries/new").content.decode()
    assert "よくある質問で解決することもあります" in page and 'href="/help"' in page


def test_the_form_gives_the_towns_number_to_tap_and_says_its_limits(signed_in):
    page = signed_in.get("/inquiries/new").content.decode()
    assert (
        '<a class="btn btn-secondary" href="tel:0120000111">電話する <span class="phone-number">0120-000-111</span></a>'
        in page
    )
    words = text_of(signed_in.get("/inquiries/new"))
    assert words.index("お急ぎの場合は、お電話ください") < words.index("電話する 0120-000-111")
    assert "100文字まで" in words and "4000文字まで" in words
    assert "回答はメールとこのページでお知らせします。" in words


def test_a_guest_form_gives_the_guests_own_towns_number(other_portal):
    confirm_guest(other_portal, GUEST)
    page = other_portal.get("/inquiries/new").content.decode()
    assert 'href="tel:0120999222"' in page and "0120-000-111" not in page


def test_a_member_can_choose_only_their_own_active_contracts(signed_in, member, link, tenant):
    stranger = make_member(tenant, "stranger@example.jp")
    theirs = make_link(stranger, make_customer(tenant, number="20200002")).customer
    response = send_inquiry(signed_in, customer=str(theirs.pk))
    assert response.status_code == 200
    assert "このアカウントに登録されているご契約ではありません" in text_of(response)
    assert not Inquiry.objects.exists()
    page = text_of(signed_in.get("/inquiries/new"))
    assert link.customer.masked_number in page and theirs.masked_number not in page


def test_a_revoked_contract_cannot_be_chosen(signed_in, member, tenant):
    gone = make_link(member, make_customer(tenant, number="30300003"), revoked=True).customer
    response = send_inquiry(signed_in, customer=str(gone.pk))
    assert "このアカウントに登録されているご契約ではありません" in text_of(response)


def test_an_empty_form_says_what_to_fill_in(signed_in):
    response = signed_in.post("/inquiries/new", {})
    page = text_of(response)
    assert "お問い合わせの種類を選んでください" in page
    assert "件名を入力してください" in page and "本文を入力してください" in page


def test_the_history_lists_the_members_own_inquiries_with_their_status_in_words(
    signed_in, member, tenant
):
    send_inquiry(signed_in)
    other = make_member(tenant, "other@example.jp")

    make_inquiry(tenant, member=other, subject="他人の問い合わせ")
    page = text_of(signed_in.get("/inquiries"))
    assert "引っ越しの手続きについて" in page and "未対応" in page
    assert "他人の問い合わせ" not in page


def test_someone_elses_inquiry_is_a_404(signed_in, tenant):

    theirs = make_inquiry(tenant, member=make_member(tenant, "other@example.jp"))
    assert signed_in.get(f"/inquiries/{theirs.pk}").status_code == 404
    assert signed_in.post(f"/inquiries/{theirs.pk}", {"body": "x"}).status_code == 404
    assert theirs.messages.count() == 1


def test_a_visitor_is_asked_for_an_address_first(portal):
    response = portal.get("/inquiries/new")
    assert response.status_code == 302 and response.url == "/inquiries/email"
    assert portal.post("/inquiries/new", QUESTION).url == "/inquiries/email"
    assert not Inquiry.objects.exists()


def test_a_guest_confirms_the_address_with_a_code_then_sends(portal):
    response = confirm_guest(portal, GUEST)
    assert response.status_code == 302 and response.url == "/inquiries/new"
    (code_mail,) = mails_to(GUEST)
    assert "お問い合わせの認証コード" in code_mail.subject
    assert GUEST in text_of(portal.get("/inquiries/new"))
    response = send_inquiry(portal)
    assert response.url == "/inquiries/done"
    inquiry = Inquiry.objects.get()
    assert inquiry.member is None and inquiry.email == GUEST
    done = portal.get("/inquiries/done")
    page = text_of(done)
    assert inquiry.reference in page
    # A guest has no account to go back to: the way out is to the town's front page.
    assert "トップへ戻る" in page and "ログイン画面に戻る" not in page
    assert 'href="/login"' in done.text
    confirmation = mails_to(GUEST)[-1]
    link = re.search(r"http\S+/inquiries/t/([\w-]+)\?tenant=oumu", str(confirmation.body))
    assert link
    assert GuestLink.objects.get().token_hash != link.group(1)  # only its hash is kept
    thread = portal.get(f"/inquiries/t/{link.group(1)}")
    assert thread.status_code == 200 and "来月、町内で引っ越します" in text_of(thread)


def test_a_wrong_code_keeps_the_form_closed(portal):
    portal.post("/inquiries/email", {"email": GUEST})
    response = portal.post("/inquiries/code", {"code": "000000"})
    assert "認証コードが正しくありません" in text_of(response)
    # What to do next: send the code again, or put the address right.
    assert 'action="/inquiries/code/resend"' in response.content.decode()
    assert 'href="/inquiries/email"' in response.content.decode()
    assert portal.get("/inquiries/new").url == "/inquiries/email"


def test_a_wrong_guest_token_is_a_404(portal):
    assert portal.get("/inquiries/t/not-a-token").status_code == 404


def test_the_guest_form_closes_half_an_hour_after_the_code(portal, clock):
    confirm_guest(portal, GUEST)
    clock.shift(31 * 60)
    assert portal.get("/inquiries/new").url == "/inquiries/email"


def test_a_right_code_gives_the_session_a_new_key(portal):
    portal.post("/inquiries/email", {"email": GUEST})
    before = portal.client.session.session_key
    portal.post("/inquiries/code", {"code": code_from_mail(GUEST)})
    assert portal.client.session.session_key != before
    assert GUEST in text_of(portal.get("/inquiries/new"))


def test_once_sent_the_next_person_at_the_computer_cannot_send_as_the_guest(portal):
    confirm_guest(portal, GUEST)
    assert send_inquiry(portal).url == "/inquiries/done"
    reference = Inquiry.objects.get().reference
    assert reference in text_of(portal.get("/inquiries/done"))
    assert portal.get("/inquiries/new").url == "/inquiries/email"
    assert send_inquiry(portal).url == "/inquiries/email"
    assert Inquiry.objects.count() == 1


@pytest.mark.parametrize(
    "closed_days_ago,opens", [(None, True), (29, True), (30, False), (31, False)]
)
def test_a_closed_inquirys_guest_link_stops_30_days_after_closing(
    portal, tenant, clock, closed_days_ago, opens
):
    sent = timezone.now() - dt.timedelta(days=60)
    inquiry = make_inquiry(tenant, email=GUEST, when=sent)
    token = actions._guest_link(inquiry, sent)  # valid for 90 days, to 30 days from now
    if closed_days_ago is not None:
        inquiry.status = Status.CLOSED
        inquiry.closed_at = timezone.now() - dt.timedelta(days=closed_days_ago)
        inquiry.save(update_fields=["status", "closed_at"])
    assert portal.get(f"/inquiries/t/{token}").status_code == (200 if opens else 404)


def test_a_guest_browsing_in_english_gets_the_confirmation_in_japanese(portal, settings):
    portal.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    confirm_guest(portal, GUEST)
    assert "Charges and payment" in text_of(portal.get("/inquiries/new"))
    send_inquiry(portal, kind="charges")
    confirmation = str(mails_to(GUEST)[-1].body)
    assert "種類: 料金・支払い" in confirmation and "Charges" not in confirmation

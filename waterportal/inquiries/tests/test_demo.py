import io

import time_machine
from django.core.management import call_command

from waterportal.inquiries import demo
from waterportal.inquiries.models import Inquiry, Status
from waterportal.testing import admin_sign_in, make_operator, text_of


@time_machine.travel("2026-11-25 10:00 +0900", tick=False)
def test_the_demo_town_has_an_inquiry_waiting_in_the_staff_inbox(db, tmp_path):
    call_command("seed_demo", "--dir", str(tmp_path / "demo"), stdout=io.StringIO())
    (inquiry,) = Inquiry.objects.all()
    assert inquiry.status == Status.NEW and inquiry.reference == "Q-2026-000001"
    assert inquiry.email == demo.DEMO_GUEST and inquiry.messages.count() == 1


def test_the_seeded_inquiry_is_from_a_member_when_the_town_has_one(tenant, member, console):
    inquiry = demo.seed(tenant)
    assert inquiry.member == member and inquiry.email == ""
    assert inquiry.reference in text_of(console.get("/staff/inquiries"))


def test_the_operator_reads_inquiries_in_the_admin_without_their_texts(client, tenant, member):
    inquiry = demo.seed(tenant)
    admin_sign_in(client, make_operator())
    listing = client.get("/admin/inquiries/inquiry/")
    assert listing.status_code == 200 and inquiry.reference in listing.content.decode()
    page = client.get(f"/admin/inquiries/inquiry/{inquiry.pk}/change/").content.decode()
    assert inquiry.reference in page and "迷惑メールフォルダ" not in page

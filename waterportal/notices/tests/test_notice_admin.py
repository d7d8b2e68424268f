"""The operator's admin shows every town's notices, and changes none."""

from django.test import Client

from waterportal.testing import admin_sign_in, make_operator
from waterportal.testing.notices import make_notice


def test_the_operator_reads_notices_and_cannot_change_them(tenant, clock):
    notice = make_notice(tenant, title="管理サイトで見るお知らせ")
    client = Client()
    admin_sign_in(client, make_operator())
    assert "管理サイトで見るお知らせ" in client.get("/admin/notices/notice/").text
    client.post(f"/admin/notices/notice/{notice.pk}/change/", {"title": "書き換え"})
    notice.refresh_from_db()
    assert notice.title == "管理サイトで見るお知らせ"

"""The town's audit log at /staff/audit: 管理者 only, in words, searched, paginated,
downloaded as CSV; each view and download on record; きた市's and the operator's rows
never shown."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from waterportal.audit.actions import record
from waterportal.audit.models import AuditEvent
from waterportal.testing import (
    admin_sign_in,
    make_customer,
    make_link,
    make_member,
    make_operator,
    make_staff,
)

CSV_HEADER = [
    "日時",
    "操作者",
    "操作者のメールアドレス",
    "操作",
    "会員",
    "会員のメールアドレス",
    "接続元",
    "内容",
]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def listed(page) -> str:
    """The entries part of the page (the filters' select lists every action's words)."""
    text = page.content.decode()
    return text[text.index('id="entries-heading"') :]


@pytest.fixture
def hanako(member, customer):
    make_link(member, customer)
    return member


@pytest.fixture
def kita_row(other_tenant):
    jiro = make_member(other_tenant, email="kita@example.jp", name="きた 次郎")
    return record(other_tenant, "staff_viewed_member", member=jiro, source="198.51.100.9")


# --- Who may look ------------------------------------------------------------------


def test_the_manager_reads_the_log_in_words(console, hanako):
    record(
        console.tenant,
        "staff_revoked_link",
        actor=console.staff,
        member=hanako,
        link=5,
        reason="ご本人の依頼",
    )
    page = console.get("/staff/audit")
    assert page.status_code == 200
    text = listed(page)
    assert "水道係 一郎（suido@town.oumu.example.jp）" in text
    assert "契約の紐付けを取り消し" in text
    assert "会員 水道 花子 hanako@example.jp" in text
    assert "ご本人の依頼" in text
    assert "staff_revoked_link" not in text


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_clerks_and_viewers_get_the_japanese_403(console_as, role):
    browser = console_as(role)
    for url in ("/staff/audit", "/staff/audit.csv"):
        response = browser.get(url)
        assert response.status_code == 403
        assert "この操作はできません" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="staff_viewed_audit").exists()
    assert not AuditEvent.objects.filter(action="staff_downloaded_audit_log").exists()


@pytest.mark.parametrize("role", ["clerk", "viewer"])
def test_the_menu_shows_the_log_to_managers_only(console, console_as, role):
    assert "監査ログ" in console.get("/staff/").content.decode()
    assert "/staff/audit" not in console_as(role).get("/staff/").content.decode()


def test_a_visitor_and_a_resident_are_sent_to_the_staff_login(portal, signed_in):
    response = signed_in.get("/staff/audit")
    assert response.status_code == 302 and response.url.startswith("/staff/login")


# --- Newest first, paginated ---------------------------------------------------------


def test_the_log_is_newest_first_and_paginated(console, hanako, clock):
    for n in range(55):
        clock.shift(dt.timedelta(seconds=1))
        record(console.tenant, "staff_viewed_member", actor=console.staff, member=hanako, n=n)

    def numbers(response):
        return [e.event.data.get("n") for e in response.context["entries"]]

    first = console.get("/staff/audit")
    assert numbers(first) == list(range(54, 4, -1))
    assert "1 / 2 ページ" in first.content.decode()
    # The look at page 1, written after it was read, is now the newest row.
    second = console.get("/staff/audit", {"page": 2})
    assert numbers(second) == [5, 4, 3, 2, 1, 0, None, None]
    assert [e.event.action for e in second.context["entries"]][-2:] == [
        "staff_login",
        "staff_created",
    ]


# --- Filters -------------------------------------------------------------------------


@pytest.fixture
def town_log(console, hanako, clock):
    """Rows of 24 Nov (by the clerk), 25 Nov (the manager) and 26 Nov (a member's login)."""
    tenant = console.tenant
    clerk = make_staff(tenant, "tanto@town.oumu.example.jp", role="clerk", name="担当 二郎").user
    other = make_member(tenant, email="jiro@example.jp", name="別の 会員")
    make_link(other, make_customer(tenant, number="20200002", kana="ベツノ カイイン"))
    tokyo = timezone.get_current_timezone()
    rows = {
        "clerk_look": record(
            tenant,
            "staff_viewed_member",
            actor=clerk,
            member=other,
            now=dt.datetime(2026, 11, 24, 23, 59, tzinfo=tokyo),
        ),
        "manager_unlock": record(
            tenant,
            "number_unlocked",
            actor=console.staff,
            number="30300003",
            now=dt.datetime(2026, 11, 25, 0, 0, tzinfo=tokyo),
        ),
        "hanako_login": record(
            tenant,
            "login",
            member=hanako,
            method="password",
            now=dt.datetime(2026, 11, 26, 9, 0, tzinfo=tokyo),
        ),
    }
    return clerk, other, rows


def found(console, **filters) -> list[str]:
    response = console.get("/staff/audit", filters)
    assert response.status_code == 200, response.content.decode()
    # Leaving out the console's own sign-in and looks, which the fixtures wrote.
    console_own = {"staff_created", "staff_login", "staff_viewed_audit_log"}
    return [
        e.event.action for e in response.context["entries"] if e.event.action not in console_own
    ]


def test_filter_by_staff_member(console, town_log):
    clerk, _, _ = town_log
    assert found(console, staff=clerk.pk) == ["staff_viewed_member"]
    assert found(console, staff=console.staff.pk) == ["number_unlocked"]


def test_the_staff_select_lists_the_towns_staff_only(console, town_log, other_console):
    clerk, _, _ = town_log
    page = console.get("/staff/audit").content.decode()
    assert "担当 二郎（tanto@town.oumu.example.jp）" in page
    assert "kanri@city.kita.example.jp" not in page
    response = console.get("/staff/audit", {"staff": other_console.staff.pk})
    assert response.status_code == 400
    assert "職員は一覧から選んでください。" in response.content.decode()
    response = console.get("/staff/audit", {"action": "made_up"})
    assert response.status_code == 400
    assert "操作は一覧から選んでください。" in response.content.decode()


@pytest.mark.parametrize("typed", ["hanako@example.jp", "HANAKO@", "1010-0001", "１０１００００１"])
def test_filter_by_member_address_or_customer_number(console, town_log, typed):
    assert found(console, member=typed) == ["login"]


def test_a_member_filter_that_finds_nobody_shows_nothing(console, town_log):
    assert found(console, member="nobody@example.jp") == []
    page = console.get("/staff/audit", {"member": "nobody@example.jp"}).content.decode()
    assert "条件に合う記録はありません" in page


def test_a_member_filter_that_is_neither_address_nor_number_is_explained(console, town_log):
    response = console.get("/staff/audit", {"member": "水道 花子"})
    assert response.status_code == 400
    assert "メールアドレス（一部でも可）か使用者番号" in response.content.decode()


def test_filter_by_action_shows_japanese_choices(console, town_log):
    page = console.get("/staff/audit").content.decode()
    assert '<option value="number_unlocked">使用者番号のロックを解除</option>' in page
    assert "operator_login" not in page
    assert found(console, action="number_unlocked") == ["number_unlocked"]


def test_filter_by_dates_counts_the_towns_days(console, town_log):
    # 23:59 on the 24th and 00:00 on the 25th, Tokyo time, fall on two days.
    assert found(console, date_from="2026-11-25", date_to="2026-11-25") == ["number_unlocked"]
    assert found(console, date_to="2026-11-24") == ["staff_viewed_member"]
    assert found(console, date_from="2026/11/26") == ["login"]


def test_filters_combine(console, town_log):
    assert found(console, member="hanako@", date_from="2026-11-26", action="login") == ["login"]
    assert found(console, member="hanako@", action="number_unlocked") == []
    assert found(console, staff=console.staff.pk, date_to="2026-11-24") == []


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"date_from": "2026-13-01"}, "年-月-日の数字で入力してください"),
        ({"date_to": "きのう"}, "年-月-日の数字で入力してください"),
        ({"date_from": "2026-12-02", "date_to": "2026-12-01"}, "終了日は開始日と同じか"),
    ],
)
def test_bad_dates_get_a_clear_japanese_error_on_the_page_and_the_csv(console, filters, message):
    for url in ("/staff/audit", "/staff/audit.csv"):
        response = console.get(url, filters)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(
        action__in=["staff_viewed_audit_log", "staff_downloaded_audit_log"]
    ).exists()


# --- The CSV -------------------------------------------------------------------------


def test_the_csv_has_exactly_the_filtered_rows_in_words(console, town_log):
    response = console.get("/staff/audit.csv", {"member": "hanako@"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="audit-oumu-20261125.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == CSV_HEADER
    assert rows == [
        [
            "2026-11-26 09:00:00",
            "会員本人",
            "",
            "ログイン",
            "水道 花子",
            "hanako@example.jp",
            "",
            "方法: パスワード",
        ]
    ]


def test_the_csv_without_filters_has_every_row_of_the_town_on_every_page(console, hanako):
    for n in range(60):
        record(console.tenant, "staff_viewed_member", actor=console.staff, member=hanako, n=n)
    expected = AuditEvent.objects.filter(tenant=console.tenant).count()
    _, *rows = csv_rows(console.get("/staff/audit.csv"))
    # The download's own row first: it is on record before the file is written.
    assert len(rows) == expected + 1
    assert rows[0][1:4] == ["水道係 一郎", "suido@town.oumu.example.jp", "監査ログをダウンロード"]
    assert rows[1][1:4] == ["水道係 一郎", "suido@town.oumu.example.jp", "会員の情報を表示"]


def test_the_csv_shows_before_and_after(console):
    record(
        console.tenant,
        "staff_role_changed",
        actor=console.staff,
        before={"staff_role": "viewer"},
        after={"staff_role": "clerk"},
        reason="異動",
    )
    _, *rows = csv_rows(console.get("/staff/audit.csv", {"action": "staff_role_changed"}))
    assert rows[0][7] == "理由: 異動 権限: 閲覧者 → 担当者"


def test_the_page_shows_a_before_and_after_table(console):
    record(
        console.tenant,
        "tenant_settings_changed",
        actor=console.staff,
        before={"phone": "0120-000-111"},
        after={"phone": "0120-000-222"},
    )
    page = listed(console.get("/staff/audit", {"action": "tenant_settings_changed"}))
    assert '<th scope="col">変更前</th>' in page
    assert '<th scope="row">電話番号</th><td>0120-000-111</td><td>0120-000-222</td>' in page


# --- Isolation -----------------------------------------------------------------------


def test_another_towns_rows_never_appear(console, other_console, kita_row):
    page = listed(console.get("/staff/audit"))
    assert "きた 次郎" not in page and "198.51.100.9" not in page
    _, *rows = csv_rows(console.get("/staff/audit.csv"))
    assert rows and not any("198.51.100.9" in row or "きた 次郎" in row for row in rows)
    # きた市's 管理者 sees it on theirs.
    assert "198.51.100.9" in listed(other_console.get("/staff/audit"))


def test_the_operators_rows_never_appear(console):
    admin_sign_in(Client(), make_operator())  # operator_enrolled, operator_login: no town
    assert AuditEvent.objects.filter(tenant__isnull=True).count() == 2
    page = listed(console.get("/staff/audit"))
    assert "運用者" not in page and "operator@example.jp" not in page
    _, *rows = csv_rows(console.get("/staff/audit.csv"))
    assert not any("運用者" in cell for row in rows for cell in row)


# --- The looks of the log itself --------------------------------------------------------


def test_viewing_the_log_is_on_record_with_the_filters_as_ids(console, town_log):
    clerk, _, _ = town_log
    console.get(
        "/staff/audit",
        {
            "staff": clerk.pk,
            "member": "hanako@example.jp",
            "action": "login",
            "date_from": "2026-11-01",
            "date_to": "2026-11-30",
            "page": "1",
        },
        REMOTE_ADDR="203.0.113.50",
    )
    look = AuditEvent.objects.get(action="staff_viewed_audit_log")
    assert look.tenant == console.tenant and look.actor == console.staff
    assert look.source == "203.0.113.50"
    hanako = AuditEvent.objects.get(action="login").member
    assert hanako is not None
    assert look.data == {
        "filters": {
            "staff": clerk.pk,
            "members": [hanako.pk],
            "action": "login",
            "from": "2026-11-01",
            "to": "2026-11-30",
        },
        "page": 1,
    }
    assert "hanako" not in str(look.data)


def test_downloading_the_log_is_on_record(console):
    csv_rows(console.get("/staff/audit.csv", {"member": "1010-0001"}, REMOTE_ADDR="203.0.113.51"))
    look = AuditEvent.objects.get(action="staff_downloaded_audit_log")
    assert look.actor == console.staff and look.source == "203.0.113.51"
    assert look.data == {"filters": {"members": []}}
    assert "1010" not in str(look.data)


def test_a_look_at_the_log_reads_in_words_on_the_log(console, hanako):
    console.get("/staff/audit", {"action": "login", "staff": console.staff.pk, "member": "hanako@"})
    page = listed(console.get("/staff/audit"))
    assert "監査ログを表示" in page and "検索条件" in page
    assert "職員 水道係 一郎（suido@town.oumu.example.jp）" in page
    assert "会員 水道 花子（hanako@example.jp）" in page
    assert "操作 ログイン" in page


def test_a_name_typed_as_a_formula_is_text_in_the_csv(console):
    resident = make_member(console.tenant, email="f@example.jp", name='=HYPERLINK("http://x")')
    record(console.tenant, "login", member=resident)
    _, *rows = csv_rows(console.get("/staff/audit.csv", {"action": "login"}))
    assert rows[0][4] == '\'=HYPERLINK("http://x")'
    assert rows[0][5] == "f@example.jp"

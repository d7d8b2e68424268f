"""Every audit row reads in Japanese words: the action, the actor's name and address, the
member, the data's keys, the before and after of a change."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from waterportal.audit import words
from waterportal.audit.actions import record
from waterportal.testing import make_member, make_operator, make_staff

SOURCE = Path(__file__).resolve().parents[2]
# The functions whose second argument is an action code.
# The recorders, and the helpers that call one with the action they are given
# (inquiries.actions._record).
RECORDERS = {"record", "record_many", "do_record_staff_look", "_record"}
# Codes other developers' branches write (issue 11): their words are ready before they land.
COMING = """staff_invited staff_enrolled staff_role_changed staff_disabled staff_enabled
staff_second_factor_reset staff_login_unlocked staff_revoked_link staff_activated_link
staff_locked_member staff_unlocked_member staff_ended_sessions staff_uploaded_import
staff_viewed_import tenant_settings_changed tenant_published closed_day_added
closed_day_removed terms_published terms_accepted lock_digest_sent staff_viewed_audit_log
staff_downloaded_audit_log operator_login operator_login_failed operator_enrolled
command_run""".split()


def _codes_in(tree: ast.AST) -> set[str]:
    """The string literals passed as the action of a recorder's call; for a name, the
    literals of the ``for`` loop that binds it (``for until, action, scope in (...)``)."""
    loops: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.For) or not isinstance(node.iter, ast.Tuple | ast.List):
            continue
        target = node.target
        names = target.elts if isinstance(target, ast.Tuple) else [target]
        for position, name in enumerate(names):
            if not isinstance(name, ast.Name):
                continue
            for item in node.iter.elts:
                value = item.elts[position] if isinstance(item, ast.Tuple) else item
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    loops.setdefault(name.id, set()).add(value.value)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else str(getattr(func, "id", ""))
        if called not in RECORDERS:
            continue
        action = node.args[1]
        if isinstance(action, ast.Constant) and isinstance(action.value, str):
            found.add(action.value)
        elif isinstance(action, ast.Name):
            found |= loops.get(action.id, set())
    return found


def codes_written() -> set[str]:
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        codes |= _codes_in(ast.parse(path.read_text(encoding="utf-8")))
    return codes


def test_the_scan_finds_the_codes_written_today():
    written = codes_written()
    # Literal calls, calls through do_record_staff_look, and the loop in accounts.signin.
    assert {"staff_login", "staff_searched_members", "login_source_locked", "import"} <= written
    assert {"command_run", "operator_login", "operator_enrolled"} <= written
    assert {"inquiry_submitted", "staff_answered_inquiry"} <= written


def test_every_action_code_written_in_the_code_has_its_words():
    missing = sorted(code for code in codes_written() if code not in words.ACTIONS)
    assert not missing, f"add these to waterportal/audit/words.py ACTIONS: {missing}"


@pytest.mark.parametrize("code", COMING)
def test_the_codes_being_added_in_parallel_have_their_words(code):
    assert words.ACTIONS[code]


def test_every_action_has_japanese_words_not_its_code():
    for code, text in words.ACTIONS.items():
        assert text and text != code and not text.isascii(), code


@pytest.fixture
def suido(tenant):
    return make_staff(tenant).user


def test_a_staff_action_reads_with_the_actor_the_member_and_the_reason(tenant, suido, clock):
    hanako = make_member(tenant)
    event = record(
        tenant,
        "staff_revoked_link",
        actor=suido,
        member=hanako,
        source="203.0.113.7",
        link=12,
        reason="ご本人から電話で依頼",
    )
    entry = words.describe_all([event])[0]
    assert entry.sentence == (
        "2026年11月25日 10:00 水道係 一郎（suido@town.oumu.example.jp）: 契約の紐付けを取り消し"
        "（会員 水道 花子 hanako@example.jp） 接続元 203.0.113.7 理由: ご本人から電話で依頼"
        " 紐付けID: 12"
    )


def test_a_change_shows_its_before_and_after_in_words(tenant, suido, clock):
    other = make_staff(tenant, "tanto@town.oumu.example.jp", role="clerk", name="担当 二郎").user
    event = record(
        tenant,
        "staff_role_changed",
        actor=suido,
        staff=other.pk,
        before={"staff_role": "clerk"},
        after={"staff_role": "manager"},
    )
    entry = words.describe_all([event])[0]
    assert entry.changes == [("権限", "担当者", "管理者")]
    assert ("対象の職員", "担当 二郎（tanto@town.oumu.example.jp）") in entry.details
    assert "権限: 担当者 → 管理者" in entry.details_text
    # before/after are shown as the table, not as raw JSON among the details.
    assert not any("{" in value for _, value in entry.details)


def test_a_change_of_the_town_uses_the_towns_field_names(tenant, suido):
    event = record(
        tenant,
        "tenant_settings_changed",
        actor=suido,
        before={"name": "おうむ町", "phone": "0120-000-111", "is_active": False},
        after={"name": "おうむ町役場", "phone": "0120-000-222", "is_active": True},
    )
    assert words.describe_all([event])[0].changes == [
        ("自治体名", "おうむ町", "おうむ町役場"),
        ("電話番号", "0120-000-111", "0120-000-222"),
        ("有効", "いいえ", "はい"),
    ]


def test_an_unknown_data_key_and_values_are_shown_as_they_are(tenant):
    event = record(
        tenant, "staff_ended_sessions", brand_new_key=3, until="2026-12-02T10:00:00+09:00"
    )
    details = dict(words.describe_all([event])[0].details)
    assert details == {"brand_new_key": "3", "期限": "2026年12月2日 10:00"}


def test_the_operator_acting_on_a_town_reads_as_the_operator_without_the_login_address(
    tenant,
):
    operator = make_operator()
    event = record(tenant, "number_unlocked", actor=operator, number="1010****")
    entry = words.describe_all([event])[0]
    assert (entry.actor, entry.actor_email) == ("運用者", "")
    own = words.describe_all([record(None, "operator_login", actor=operator)])[0]
    assert own.actor_email == operator.email


def test_a_command_reads_as_the_operating_system_user(tenant):
    event = record(tenant, "command_run", os_user="root", command="import_data", kind="bills")
    entry = words.describe_all([event])[0]
    assert entry.actor == "コマンド（OSユーザー root）"
    assert entry.action == "コマンドを実行"
    assert dict(entry.details) == {"コマンド": "import_data", "種類": "検針・料金"}


def test_a_members_own_action_reads_as_the_member_and_the_automatic_ones_as_the_system(
    tenant, member
):
    own, automatic = words.describe_all(
        [
            record(tenant, "login", member=member, method="password"),
            record(tenant, "number_locked", number="10100001", until="2026-11-26T10:00:00+09:00"),
        ]
    )
    assert (own.actor, own.action, own.member) == ("会員本人", "ログイン", "水道 花子")
    assert dict(own.details) == {"方法": "パスワード"}
    assert (automatic.actor, automatic.action) == ("システム（自動）", "使用者番号をロック")


def test_a_withdrawn_member_shows_no_address(tenant, member):
    from waterportal.accounts.actions import do_withdraw_member

    do_withdraw_member(member)
    entry = words.describe_all([record(tenant, "member_withdrawn", member=member, links=1)][:1])[0]
    assert entry.member == "（退会した会員）" and entry.member_email == ""


def test_the_time_is_the_towns(tenant):
    event = record(tenant, "login", now=dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.UTC))
    assert words.describe_all([event])[0].when == "2026年12月2日 00:30"


def test_the_accounts_named_are_read_in_one_query(tenant, suido, django_assert_num_queries):
    members = [make_member(tenant, email=f"m{i}@example.jp", name=f"会員 {i}") for i in range(5)]
    events = [record(tenant, "staff_viewed_member", actor=suido, member=m) for m in members]
    with django_assert_num_queries(1):
        entries = words.describe_all(events)
    assert [e.member for e in entries] == [f"会員 {i}" for i in range(5)]


@pytest.mark.parametrize("code", sorted(words.ACTIONS))
def test_every_code_reads_in_its_words_on_the_console_and_in_the_admin(tenant, code):
    entry = words.describe_all([record(tenant, code)])[0]
    assert entry.action == words.ACTIONS[code]
    assert code not in entry.sentence

"""The audit log in Japanese words: one place for the console's log page, its CSV and
the operator's admin.

``ACTIONS`` gives each action code its words (a test reads every code the portal
writes and fails on one without them), ``LABELS`` the words of the keys in an event's
``data`` (and of the fields in its ``before``/``after``), ``VALUES`` the words of the
values that are codes themselves (a role, a sign-in method). ``describe_all`` turns
events into ``Entry`` objects, with the actor's and the member's name and address
fetched in one query.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from waterportal.audit.models import AuditEvent
from waterportal.tenants.models import Tenant

ACTIONS: dict[str, str] = {
    # A member's own account
    "member_registered": "会員登録",
    "login": "ログイン",
    "login_failed": "ログインに失敗",
    "login_locked": "ログインを一時停止（続けて失敗）",
    "login_source_locked": "接続元からのログインを一時停止（続けて失敗）",
    "logout": "ログアウト",
    "app_signed_out": "アプリのログインを終了（アカウントの画面から）",
    "push_subscribed": "この端末へのプッシュ通知を登録",
    "push_removed": "端末へのプッシュ通知を削除",
    "code_locked": "確認コードを一時停止（続けて間違い）",
    "password_reset": "パスワードを再設定",
    "password_changed": "パスワードを変更",
    "email_change_requested": "メールアドレスの変更を申込み",
    "email_changed": "メールアドレスを変更",
    "notifications_changed": "お知らせメールの設定を変更",
    "language_changed": "表示言語を変更",
    "notifications_unsubscribed": "メールのリンクからお知らせメールを停止",
    "terms_accepted": "利用規約・個人情報の取り扱いに同意",
    "member_withdrawn": "退会",
    # Contracts
    "link_created": "契約を紐付け",
    "link_revoked": "契約の紐付けを解除",
    "link_activated": "契約の紐付けが有効に",
    "link_step_locked": "契約の紐付けを一時停止（続けて不一致）",
    "number_locked": "使用者番号をロック",
    "number_unlocked": "使用者番号のロックを解除",
    "lock_digest_sent": "新しいロックの一覧を管理者にメール",
    # Imports
    "import": "ファイルを取り込み",
    "staff_uploaded_import": "取り込むファイルをアップロード",
    "staff_viewed_import": "取り込みの報告を表示",
    # Staff accounts
    "staff_created": "職員のアカウントを作成",
    "staff_invited": "職員を招待",
    "staff_enrolled": "職員がパスワードと認証アプリを登録",
    "staff_role_changed": "職員の権限を変更",
    "staff_disabled": "職員のアカウントを停止",
    "staff_enabled": "職員のアカウントを有効に",
    "staff_second_factor_reset": "職員の認証アプリをリセット",
    "staff_login_unlocked": "職員のログインの一時停止を解除",
    "staff_login": "職員のログイン",
    "staff_login_failed": "職員のログインに失敗",
    "staff_logout": "職員のログアウト",
    # Staff looks and actions on members
    "staff_searched_members": "会員を検索",
    "staff_viewed_member": "会員の情報を表示",
    "staff_revoked_link": "契約の紐付けを取り消し",
    "staff_activated_link": "契約の紐付けをすぐに有効に",
    "staff_locked_member": "会員のアカウントを停止",
    "staff_unlocked_member": "会員のアカウントの停止を解除",
    "staff_ended_sessions": "会員のすべてのログインを終了",
    "staff_viewed_audit_log": "監査ログを表示",
    "staff_downloaded_audit_log": "監査ログをダウンロード",
    # The town
    "tenant_settings_changed": "自治体の設定を変更",
    "tenant_published": "自治体のページを公開",
    "closed_day_added": "休業日を追加",
    "closed_day_removed": "休業日を削除",
    "terms_published": "利用規約・個人情報の取り扱いの新しい版を公開",
    # Inquiries (お問い合わせ)
    "inquiry_submitted": "お問い合わせを送信（会員）",
    "inquiry_guest_submitted": "お問い合わせを送信（会員以外）",
    "inquiry_resident_replied": "お問い合わせに住民が返信",
    "staff_listed_inquiries": "お問い合わせの一覧を表示",
    "staff_viewed_inquiry": "お問い合わせを表示",
    "staff_assigned_inquiry": "お問い合わせの担当者を設定",
    "staff_answered_inquiry": "お問い合わせに回答",
    "staff_changed_inquiry_status": "お問い合わせの状態を変更",
    "staff_closed_inquiry": "お問い合わせを完了に",
    "inquiry_overdue_reported": "回答の目安を過ぎたお問い合わせの一覧を管理者にメール",
    # Notices
    "notice_created": "お知らせを作成",
    "notice_edited": "お知らせを編集",
    "notice_published": "お知らせを公開（予約）",
    "notice_withdrawn": "お知らせを取り下げ",
    "notice_category_created": "お知らせの分類を追加",
    "notice_mailed": "重要なお知らせのメールを送信",
    # The operator and the commands
    "operator_login": "運用者のログイン（管理サイト）",
    "operator_login_failed": "運用者のログインに失敗（管理サイト）",
    "operator_enrolled": "運用者の認証アプリを登録",
    "command_run": "コマンドを実行",
    # The help centre
    "help_entry_created": "よくある質問を追加",
    "help_entry_changed": "よくある質問を変更",
    "help_entry_deleted": "よくある質問を削除",
    "help_entry_moved": "よくある質問の並び順を変更",
    "help_category_created": "よくある質問の分類を追加",
    "help_category_deleted": "よくある質問の分類を削除",
    "help_defaults_restored": "よくある質問の初期の項目を戻す",
}

# The actions a member does themselves: with no actor, the member is the one who acted.
MEMBERS_OWN = frozenset(
    {
        "member_registered",
        "login",
        "login_failed",
        "logout",
        "app_signed_out",
        "push_subscribed",
        "push_removed",
        "password_reset",
        "password_changed",
        "email_change_requested",
        "email_changed",
        "notifications_changed",
        "language_changed",
        "notifications_unsubscribed",
        "terms_accepted",
        "member_withdrawn",
        "inquiry_submitted",
        "inquiry_resident_replied",
        "link_created",
        "link_revoked",
    }
)

LABELS: dict[str, str] = {
    "reason": "理由",
    "device": "端末の番号",
    "staff": "対象の職員",
    "operator": "運用者",
    "link": "紐付けID",
    "links": "解除した紐付け",
    "customer": "使用者ID",
    "run": "取り込み番号",
    "run_id": "取り込み番号",
    "number": "使用者番号",
    "relationship": "続柄",
    "role": "権限",
    "staff_role": "権限",
    "method": "方法",
    "step": "段階",
    "scope": "範囲",
    "purpose": "用途",
    "until": "期限",
    "by": "検索方法",
    "found": "件数",
    "count": "件数",
    "kind": "種類",
    "status": "結果",
    "added": "追加",
    "changed": "変更",
    "unchanged": "変更なし",
    "rejected": "エラー",
    "same_as": "同じファイルを読んだ取り込み",
    "again": "同じファイルも読み直す",
    "rows": "行数",
    "notify_new_bill": "新しい請求のお知らせメール",
    "notify_notices": "重要なお知らせのメール",
    "language": "表示言語",
    "email_kind": "メールの種類",
    "notice": "お知らせ番号",
    "title": "タイトル",
    "category": "分類",
    "important": "重要",
    "audience": "対象",
    "targets": "対象の契約数",
    "starts_at": "公開開始",
    "ends_at": "公開終了",
    "scheduled": "予約",
    "is_active": "有効",
    "name": "氏名",
    "email": "メールアドレス",
    "date": "日付",
    "version": "版",
    "terms_version": "利用規約の版",
    "locks": "ロックの数",
    "sessions": "終了したログイン",
    "os_user": "OSユーザー",
    "command": "コマンド",
    "tenant": "自治体",
    "slug": "識別子",
    "as_of": "基準日",
    "activated": "有効にした紐付け",
    "filters": "検索条件",
    "member": "会員",
    "members": "会員",
    "action": "操作",
    "from": "開始日",
    "to": "終了日",
    "page": "ページ",
    "password_rule": "パスワードの規則",
    "has_sewer": "下水道使用料",
    "color": "色",
    "logo": "ロゴ",
    "slip_sample": "検針票の見本",
    "inquiry": "お問い合わせID",
    "inquiries": "お問い合わせID",
    "reference": "受付番号",
    "inquiry_status": "お問い合わせの状態",
    "entry": "質問の番号",
    "question": "質問",
    "direction": "移動",
    "is_published": "公開",
    "answer": "回答",
    "keywords": "検索用の言葉",
}

# The filters of a look at the log (``filters``).
FILTER_LABELS = {
    "staff": "職員",
    "members": "会員",
    "action": "操作",
    "from": "開始日",
    "to": "終了日",
}

VALUES: dict[str, dict[str, str]] = {
    "role": {"manager": "管理者", "clerk": "担当者", "viewer": "閲覧者"},
    "method": {
        "password": "パスワード",
        "link": "メールのリンク",
        "totp": "認証アプリ",
        "recovery_code": "リカバリーコード",
        "app": "アプリ",
        "web": "ウェブ",
    },
    "step": {"password": "パスワード", "code": "確認コード"},
    "language": {"ja": "日本語", "ja-easy": "やさしい日本語", "en": "English"},
    "scope": {"account": "アカウント", "source": "接続元", "account_source": "アカウントと接続元"},
    "purpose": {
        "signup": "会員登録",
        "reset": "パスワード再設定",
        "email": "メールアドレス変更",
        "signin": "ログイン用リンク",
        "inquiry": "お問い合わせ",
    },
    "by": {"email": "メールアドレス", "number": "使用者番号", "name": "氏名"},
    "kind": {"customers": "使用者台帳", "bills": "検針・料金", "payments": "収納"},
    "status": {
        "running": "実行中",
        "succeeded": "完了",
        "rejected": "取り込み中止",
        "failed": "異常終了",
    },
}
VALUES["email_kind"] = {
    "new_bill": "新しい請求のお知らせメール",
    "notices": "重要なお知らせのメール",
}
VALUES["audience"] = {
    "public": "どなたでも",
    "members": "すべての会員",
    "contracts": "選んだ契約の会員",
}
VALUES["staff_role"] = VALUES["role"]
VALUES["inquiry_status"] = {
    "new": "未対応",
    "in_progress": "対応中",
    "answered": "回答済み",
    "closed": "完了",
}
VALUES["kind"] |= {
    "signin": "登録・ログイン",
    "charges": "料金・支払い",
    "usage": "使用量・検針",
    "moving": "引っ越し・名義変更",
    "leak": "漏水・断水",
    "other": "その他",
}

# Keys whose value is an account's id: shown as its name and address.
ACCOUNT_KEYS = frozenset({"staff", "operator", "members"})
HIDDEN_KEYS = frozenset({"before", "after", "os_user"})


def action_words(code: str) -> str:
    return ACTIONS.get(code, code)


def label(key: str, *, town: bool = False) -> str:
    """A data key's words: ``LABELS``, else the field's own name on the town or on an
    account (for the ``before``/``after`` of a change), else the key itself. ``town``:
    the key is a field of the town (a change of its settings), whose names come first."""
    if town and (name := _field_name(Tenant, key)):
        return name
    if key in LABELS:
        return LABELS[key]
    return _field_name(Tenant, key) or _field_name(get_user_model(), key) or key


def _field_name(model, key: str) -> str:
    try:
        return str(getattr(model._meta.get_field(key), "verbose_name", ""))
    except FieldDoesNotExist:
        return ""


def when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def value_words(key: str, value: Any, accounts: Mapping[int, Any] | None = None) -> str:
    """One value of ``data`` in words."""
    if value is None or value == "":
        return "（なし）"
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if key in ACCOUNT_KEYS and isinstance(value, int) and accounts is not None:
        account = accounts.get(value)
        if account is None:
            return f"#{value}"
        name = person(account)
        return name if name == WITHDRAWN else f"{name}（{account.email}）"
    if isinstance(value, list):
        return "、".join(value_words(key, item, accounts) for item in value) or "（なし）"
    if isinstance(value, dict):
        names = FILTER_LABELS if key == "filters" else {}
        return (
            "、".join(
                f"{names.get(k) or label(k)} {value_words(k, v, accounts)}"
                for k, v in value.items()
            )
            or "（なし）"
        )
    if key == "action" and isinstance(value, str):
        return action_words(value)
    if isinstance(value, str):
        if value in VALUES.get(key, {}):
            return VALUES[key][value]
        if len(value) > 10 and (moment := _datetime(value)) is not None:
            return when(moment)
        if len(value) == 10 and (day := _date(value)) is not None:
            return _day(day)
    return str(value)


def _datetime(text: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


def _date(text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


WITHDRAWN = "（退会した会員）"


def person(account) -> str:
    """An account's name as the log shows it."""
    if account is None:
        return ""
    if account.email.endswith("@invalid"):  # a withdrawn member (accounts.withdrawn_email)
        return WITHDRAWN
    return account.name or "（氏名なし）"


@dataclass
class Entry:
    """One event in words."""

    event: AuditEvent
    when: str
    actor: str
    actor_email: str
    action: str
    member: str
    member_email: str
    source: str
    details: list[tuple[str, str]] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def details_text(self) -> str:
        """The details and the changes in one line (the CSV's 内容)."""
        parts = [f"{name}: {value}" for name, value in self.details]
        parts += [f"{name}: {before} → {after}" for name, before, after in self.changes]
        return " ".join(parts)

    @property
    def sentence(self) -> str:
        """「2026年12月2日 10:31 水道係 一郎（suido@…）: 契約の紐付けを取り消し（会員 水道 花子
        hanako@…） 理由: …」"""
        actor = f"{self.actor}（{self.actor_email}）" if self.actor_email else self.actor
        text = f"{self.when} {actor}: {self.action}"
        if self.member or self.member_email:
            text += f"（会員 {self.member} {self.member_email}）".replace("  ", " ")
        if self.source:
            text += f" 接続元 {self.source}"
        return f"{text} {self.details_text}".rstrip()


def _actor(event: AuditEvent, accounts: Mapping[int, Any]) -> tuple[str, str]:
    account = accounts.get(event.actor_id) if event.actor_id else None
    if account is not None and account.tenant_id is None and event.tenant_id is not None:
        # The operator acting on a town (an unlock in the admin, say): the town's log
        # says so without naming the admin's login address.
        return "運用者", ""
    if account is not None:
        return person(account), account.email
    if event.actor_id:
        return f"（アカウント #{event.actor_id}）", ""
    if event.data.get("os_user"):
        return f"コマンド（OSユーザー {event.data['os_user']}）", ""
    if event.member_id and event.action in MEMBERS_OWN:
        return "会員本人", ""
    return "システム（自動）", ""


def describe(event: AuditEvent, accounts: Mapping[int, Any]) -> Entry:
    """``event`` in words; ``accounts`` maps the ids it names to their accounts
    (``describe_all`` fetches them)."""
    actor, actor_email = _actor(event, accounts)
    member = accounts.get(event.member_id) if event.member_id else None
    data = event.data if isinstance(event.data, dict) else {"data": event.data}
    # The reason first: it is what a reader looks for.
    keys = sorted((k for k in data if k not in HIDDEN_KEYS), key=lambda k: k != "reason")
    details = [(label(k), value_words(k, data[k], accounts)) for k in keys]
    before: dict = data["before"] if isinstance(data.get("before"), dict) else {}
    after: dict = data["after"] if isinstance(data.get("after"), dict) else {}
    town = event.action.startswith("tenant_")
    changes = [
        (
            label(key, town=town),
            value_words(key, before.get(key), accounts),
            value_words(key, after.get(key), accounts),
        )
        for key in dict.fromkeys([*before, *after])
    ]
    return Entry(
        event=event,
        when=when(event.created_at),
        actor=actor,
        actor_email=actor_email,
        action=action_words(event.action),
        member=person(member) if member is not None else "",
        member_email=member.email if member is not None and person(member) != WITHDRAWN else "",
        source=event.source or "",
        details=details,
        changes=changes,
    )


def _account_ids(data: Any, key: str = "") -> Iterable[int]:
    """The ids of accounts named in ``data``, at any depth (the filters of a look at
    the log name staff and members)."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _account_ids(v, k)
    elif isinstance(data, list) and key in ACCOUNT_KEYS:
        for item in data:
            yield from _account_ids(item, key)
    elif key in ACCOUNT_KEYS and type(data) is int:
        yield data


def describe_all(events: Iterable[AuditEvent]) -> list[Entry]:
    """The events in words, with every account they name read in one query."""
    events = list(events)
    ids: set[int] = set()
    for event in events:
        ids.update(i for i in (event.actor_id, event.member_id) if i)
        ids.update(_account_ids(event.data))
    User = get_user_model()
    accounts = {u.pk: u for u in User._default_manager.filter(pk__in=ids)} if ids else {}
    return [describe(event, accounts) for event in events]

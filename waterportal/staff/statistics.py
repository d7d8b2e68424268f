"""The town's figures per day and per month, counted in the database.

A period is one of the town's days (Asia/Tokyo) or months. Each query counts every
period at once, with one filtered ``COUNT`` per period over a date range (conditional
aggregation): five queries for all the series of a page whatever the number of
members, and nothing but the counts leaves the database. Date ranges rather than
``TruncDate``/``TruncMonth``: the bounds are the town's midnights, computed here once,
so SQLite and PostgreSQL count alike, and a running total (members at the end of each
day) is one more filtered ``COUNT`` instead of a sum over the whole history.

What is counted, exactly (the page says it too, ``Series.note``):

- registrations: members whose ``date_joined`` falls in the period (a member who has
  withdrawn since still counts on the day they registered);
- withdrawals: the audit rows ``member_withdrawn``;
- members: registered by the end of the period less withdrawn by then;
- links: links to a contract active at the end of the period (``active_from`` on or
  before its last day, so far, and not revoked by then). A withdrawal deletes the
  member's links, so they are missing from the days before it too;
- code locks: the audit rows ``code_locked`` (100 wrong codes for one address and
  purpose in 24 hours). A single wrong code is kept only on the code's row
  (``VerificationCode.attempts``), and codes are deleted after a day (and at
  withdrawal): so only the last 24 hours' wrong entries can be counted
  (``recent_wrong_codes``), not a day or a month further back;
- login failures: the audit rows ``login_failed`` (residents' login; staff's own are
  ``staff_login_failed`` and not counted here);
- number locks: customer-number locks begun in the period (``NumberLock.locked_at``).
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Q, Sum
from django.utils import timezone

from waterportal.accounts.models import CodePurpose, User, VerificationCode
from waterportal.audit.models import AuditEvent
from waterportal.contracts.models import Link, NumberLock
from waterportal.tenants.calendar import TOKYO
from waterportal.tenants.models import Tenant

DAYS = 31
MONTHS = 12


class Period(StrEnum):
    DAY = "day"
    MONTH = "month"

    @property
    def label(self) -> str:
        return "日別" if self is Period.DAY else "月別"

    @property
    def column(self) -> str:
        """The first column of its tables and CSVs."""
        return "日付" if self is Period.DAY else "月"


@dataclass(frozen=True)
class Bucket:
    """One day or month of the town: ``first`` its first day, ``last`` its last day
    (today at most), ``begins``/``ends`` the town's midnights around it."""

    first: dt.date
    last: dt.date
    begins: dt.datetime
    ends: dt.datetime


@dataclass(frozen=True)
class Series:
    slug: str
    title: str
    unit: str
    note: str


SERIES = (
    Series(
        "registrations",
        "登録",
        "人",
        "その日（月）に会員登録した人数です。後で退会した人も含みます。",
    ),
    Series("withdrawals", "退会", "人", "退会の記録（監査ログ）の件数です。"),
    Series(
        "members",
        "会員数",
        "人",
        "その日（月）の終わりの会員数です（登録した人数から退会した人数を引いたもの）。",
    ),
    Series(
        "links",
        "有効な紐付け",
        "件",
        "その日（月）の終わりに有効だった、会員と契約の紐付けの件数です。"
        "退会した会員の紐付けは退会のときに削除されるため、過去の日の件数にも含まれません。",
    ),
    Series(
        "code_locks",
        "確認コードの一時停止",
        "件",
        "同じメールアドレスで確認コードを24時間に100回まちがえ、コードの発行が一時停止された件数です"
        "（監査ログ）。1回ごとのまちがいはコードと一緒に1日で消去されるため、"
        "日別・月別には数えられません（直近24時間の回数だけを、すぐ下に表示しています）。",
    ),
    Series(
        "login_failures",
        "ログインの失敗",
        "回",
        "会員のログインで、パスワードがちがった（または登録のないメールアドレスだった）回数です"
        "（監査ログ）。職員のログインは含みません。",
    ),
    Series("number_locks", "使用者番号のロック", "件", "使用者番号がロックされた件数です。"),
)
SERIES_BY_SLUG = {series.slug: series for series in SERIES}


EVERY_ROW = Q()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)


def _next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def buckets(period: Period, today: dt.date) -> list[Bucket]:
    """The last ``DAYS`` days or ``MONTHS`` months up to ``today``'s, oldest first."""
    if period is Period.DAY:
        days = [today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
        return [Bucket(d, d, _midnight(d), _midnight(d + dt.timedelta(days=1))) for d in days]
    first = today.replace(day=1)
    firsts = [first]
    for _ in range(MONTHS - 1):
        firsts.insert(0, (firsts[0] - dt.timedelta(days=1)).replace(day=1))
    result = []
    for month in firsts:
        after = _next_month(month)
        last = min(after - dt.timedelta(days=1), today)
        result.append(Bucket(month, last, _midnight(month), _midnight(after)))
    return result


@dataclass(frozen=True)
class Figures:
    period: Period
    buckets: list[Bucket]
    values: dict[str, list[int]]  # per series slug, one value per bucket (oldest first)
    recent_wrong_codes: int


def _counts(prefix: str, conditions: list[Q]) -> dict[str, Count]:
    """One ``COUNT`` per condition, named ``prefix`` and its index."""
    return {f"{prefix}{i}": Count("pk", filter=condition) for i, condition in enumerate(conditions)}


def figures(tenant: Tenant, period: Period, *, now: dt.datetime | None = None) -> Figures:
    """Every series of ``tenant`` for ``period``, in five queries."""
    now = now or timezone.now()
    today = timezone.localdate(now, TOKYO)
    spans = buckets(period, today)
    start, end = spans[0].begins, spans[-1].ends

    def per_bucket(field: str, extra: Q = EVERY_ROW) -> list[Q]:
        return [extra & Q(**{f"{field}__gte": b.begins, f"{field}__lt": b.ends}) for b in spans]

    def by_end(field: str, extra: Q = EVERY_ROW) -> list[Q]:
        return [extra & Q(**{f"{field}__lt": b.ends}) for b in spans]

    joined = User.members.filter(tenant=tenant, date_joined__lt=end).aggregate(
        **_counts("r", per_bucket("date_joined")),
        **_counts("m", by_end("date_joined")),
    )
    withdrawn, failed, locked = (
        Q(action="member_withdrawn"),
        Q(action="login_failed"),
        Q(action="code_locked"),
    )
    audit = AuditEvent.objects.filter(
        withdrawn | ((failed | locked) & Q(created_at__gte=start)),
        tenant=tenant,
        created_at__lt=end,
    ).aggregate(
        **_counts("w", per_bucket("created_at", withdrawn)),
        **_counts("wm", by_end("created_at", withdrawn)),
        **_counts("f", per_bucket("created_at", failed)),
        **_counts("c", per_bucket("created_at", locked)),
    )
    links = Link.objects.filter(tenant=tenant, active_from__lte=spans[-1].last).aggregate(
        **_counts(
            "k",
            [
                Q(active_from__lte=b.last)
                & (Q(revoked_at__isnull=True) | Q(revoked_at__gte=b.ends))
                for b in spans
            ],
        )
    )
    number_locks = NumberLock.objects.filter(
        tenant=tenant, locked_at__gte=start, locked_at__lt=end
    ).aggregate(**_counts("n", per_bucket("locked_at")))
    recent = (
        VerificationCode.objects.filter(tenant=tenant, created_at__gte=now - dt.timedelta(days=1))
        .exclude(purpose=CodePurpose.SIGN_IN)
        .aggregate(wrong=Sum("attempts"))
    )

    def column(counts: dict[str, int], prefix: str) -> list[int]:
        return [counts[f"{prefix}{i}"] for i in range(len(spans))]

    values = {
        "registrations": column(joined, "r"),
        "withdrawals": column(audit, "w"),
        "members": [j - w for j, w in zip(column(joined, "m"), column(audit, "wm"), strict=True)],
        "links": column(links, "k"),
        "code_locks": column(audit, "c"),
        "login_failures": column(audit, "f"),
        "number_locks": column(number_locks, "n"),
    }
    return Figures(period, spans, values, recent["wrong"] or 0)

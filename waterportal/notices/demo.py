"""The demo town's notices: a public outage notice for one district (shown on the login
page and in the feed) and an important charge notice for every member."""

import datetime as dt

from django.utils import timezone
from django_scopes import scope

from waterportal.exchange.demo import DISTRICTS
from waterportal.notices.actions import NoticeFields, do_create_notice, do_publish_notice
from waterportal.notices.models import Notice, NoticeCategory
from waterportal.tenants.models import Tenant


def seed(tenant: Tenant) -> list[Notice]:
    now = timezone.now()
    district = DISTRICTS[0][1]
    works_on = timezone.localdate(now) + dt.timedelta(days=7)
    with scope(tenant=tenant):
        categories = {c.name: c for c in NoticeCategory.objects.filter(tenant=tenant)}
        outage = NoticeFields(
            title=f"配水管工事に伴う断水のお知らせ（{district}）",
            body=(
                f"配水管の取り替え工事のため、次のとおり断水します。\n\n"
                f"日時: {works_on:%Y年%-m月%-d日} 9時〜15時（雨天の場合は翌日）\n"
                f"区域: {tenant.name}{district}1丁目〜4丁目\n\n"
                "断水の前後に、水が濁ることがあります。しばらく水を流してからお使いください。\n"
                "工事の詳しい案内: https://www.town.oumu.example.jp/suido/koji"
            ),
            category=categories["断水・濁水"],
            important=False,
            audience=Notice.Audience.PUBLIC,
            starts_at=now,
            ends_at=now + dt.timedelta(days=8),
        )
        charges = NoticeFields(
            title="水道料金の改定について",
            body=(
                "令和9年4月検針分から、水道料金（基本料金・従量料金）を改定します。\n"
                "ご家庭の新しい料金の目安は、町の水道のページでご確認いただけます。\n"
                "https://www.town.oumu.example.jp/suido/ryokin"
            ),
            category=categories["料金"],
            important=True,
            audience=Notice.Audience.MEMBERS,
            starts_at=now,
        )
        return [
            do_publish_notice(do_create_notice(tenant, fields, actor=None), actor=None)
            for fields in (outage, charges)
        ]

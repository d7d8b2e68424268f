"""Notices for the tests: one written and published in a line, as staff would."""

import datetime as dt
from typing import Any

from django.utils import timezone

from waterportal.notices.actions import (
    NoticeFields,
    do_create_notice,
    do_publish_notice,
)
from waterportal.notices.models import Notice, NoticeCategory
from waterportal.tenants.models import Tenant


def category(tenant: Tenant, name: str = "その他") -> NoticeCategory:
    return NoticeCategory.objects.get(tenant=tenant, name=name)


def notice_fields(tenant: Tenant, **changes) -> NoticeFields:
    """A notice's fields: 配水管工事に伴う断水のお知らせ for every member, from now."""
    fields: dict[str, Any] = {
        "title": "配水管工事に伴う断水のお知らせ",
        "body": "12月10日 9時から12時まで断水します。\n詳しくは https://www.town.oumu.example.jp/suido をご覧ください。",
        "category": category(tenant, changes.pop("category_name", "断水・濁水")),
        "important": False,
        "audience": Notice.Audience.MEMBERS,
        "starts_at": timezone.now(),
        "ends_at": None,
    }
    return NoticeFields(**(fields | changes))


def make_notice(
    tenant: Tenant,
    *,
    actor=None,
    targets: list[int] | None = None,
    publish: bool = True,
    **changes,
) -> Notice:
    """A notice of ``tenant`` (published unless ``publish=False``)."""
    notice = do_create_notice(
        tenant, notice_fields(tenant, **changes), actor=actor, targets=targets
    )
    if publish:
        notice = do_publish_notice(notice, actor=actor)
    return notice


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)

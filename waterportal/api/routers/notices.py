"""The town's notices: what a member sees on the web, with their read marks (opening one
marks it read, as the web's page does), and the public ones for anyone."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext
from ninja import Path, Router, Schema
from pydantic import Field

from waterportal.api import auth
from waterportal.api.common import TOWN, slug_param
from waterportal.api.problems import Problem, errors
from waterportal.notices import reading
from waterportal.notices.actions import do_mark_read
from waterportal.notices.models import Notice

router = Router(tags=["お知らせ"], auth=auth.member)


class NoticeSummaryOut(Schema):
    id: int = Field(description="お知らせの番号")
    title: str = Field(description="タイトル")
    category: str = Field(description="分類（例: 断水・濁水、工事、料金）")
    important: bool = Field(description="重要なお知らせ（メールでもお知らせするもの）")
    published_on: dt.date = Field(description="日付（公開開始の日、日本時間）")
    starts_at: dt.datetime = Field(description="公開開始の日時")
    ends_at: dt.datetime | None = Field(description="公開終了の日時。終了しないものは null")


class MemberNoticeOut(NoticeSummaryOut):
    read: bool = Field(description="この会員が読んだ（詳細を開いた）")


class NoticeListOut(Schema):
    unread: int = Field(description="未読の件数（この一覧のうち）")
    notices: list[MemberNoticeOut] = Field(description="お知らせ（新しい順、最大50件）")


class NoticeOut(MemberNoticeOut):
    body: str = Field(description="本文（プレーンテキスト。改行は \\n、アドレスはそのまま）")


class PublicNoticeOut(NoticeSummaryOut):
    body: str = Field(description="本文（プレーンテキスト）")


class PublicNoticeListOut(Schema):
    notices: list[PublicNoticeOut] = Field(description="どなたにもお知らせしている内容（新しい順）")


def _fields(notice: Notice) -> dict:
    return {
        "id": notice.pk,
        "title": notice.title,
        "category": notice.category.name,
        "important": notice.important,
        "published_on": notice.published_on,
        "starts_at": notice.starts_at,
        "ends_at": notice.ends_at,
    }


@router.get(
    TOWN + "/notices",
    response={200: NoticeListOut, **errors(401, 403, 404)},
    summary="お知らせの一覧（未読つき）",
    description="Web のお知らせ一覧と同じく、会員が見られるお知らせ（どなたでも・会員全員・"
    "ご契約の対象のもの）です。",
    operation_id="list_notices",
)
def list_notices(request, slug: str = slug_param()):
    notices = reading.member_notices(request.member, timezone.now())
    return NoticeListOut(
        unread=reading.unread_count(notices),
        notices=[MemberNoticeOut(**_fields(n), read=n.is_read) for n in notices],
    )


@router.get(
    TOWN + "/notices/{notice_id}",
    response={200: NoticeOut, **errors(401, 403, 404, 410, 422)},
    summary="お知らせを読む（既読にする）",
    description="開くと既読になります（Web と同じ）。取り下げられた、または公開が終了した"
    "お知らせは 410 gone です。",
    operation_id="get_notice",
)
def get_notice(
    request,
    notice_id: int = Path(..., description="お知らせの番号"),
    slug: str = slug_param(),
):
    try:
        notice = reading.member_notice(request.member, notice_id, timezone.now())
    except reading.NoticeGone as exc:
        # The web's 410 page, in its words.
        detail = gettext("このお知らせは掲載を終了しました。") + gettext(
            "いま掲載中のお知らせは、一覧でご覧いただけます。"
        )
        raise Problem("gone", detail) from exc
    if notice is None:
        raise Problem("not_found")
    do_mark_read(request.member, notice)
    return NoticeOut(**_fields(notice), read=True, body=notice.body)


@router.get(
    TOWN + "/public/notices",
    auth=None,
    response={200: PublicNoticeListOut, **errors(404)},
    summary="公開のお知らせ（ログイン不要）",
    description="ログインしていない人にも見せるお知らせです（Web のログイン前の一覧・Atom フィードと同じ）。",
    operation_id="list_public_notices",
)
def list_public_notices(request, slug: str = slug_param()):
    notices = reading.public_notices(request.tenant, timezone.now())
    return PublicNoticeListOut(
        notices=[PublicNoticeOut(**_fields(n), body=n.body) for n in notices]
    )

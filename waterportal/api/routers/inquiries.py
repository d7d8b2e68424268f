"""A member's inquiries: their list, one with its thread, a new one and a reply, by the
web's forms (the same checks and Japanese messages) and the same actions and limits."""

import datetime as dt
from typing import Literal, cast

from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema, Status
from pydantic import Field

from waterportal.api import auth
from waterportal.api.common import TOWN, slug_param, source
from waterportal.api.problems import Problem, errors, invalid
from waterportal.billing import services
from waterportal.inquiries import actions, texts
from waterportal.inquiries.forms import InquiryForm, ReplyForm
from waterportal.inquiries.models import Inquiry, Kind
from waterportal.inquiries.models import Status as InquiryStatus

router = Router(tags=["お問い合わせ"], auth=auth.member)

KINDS = "、".join(f"{kind.value} {kind.label}" for kind in Kind)
KindCode = Literal["signin", "charges", "usage", "moving", "leak", "other"]
StatusCode = Literal["new", "in_progress", "answered", "closed"]
# The web form's field for the contract is its customer; the app names the contract by
# the id it has from the contracts list.
FIELD_NAMES = {"customer": "contract_id"}


class KindOut(Schema):
    value: KindCode = Field(description="種類のコード（送るときの kind）")
    label: str = Field(description="種類の名前（画面に表示する言葉）")


class KindsOut(Schema):
    kinds: list[KindOut] = Field(description="お問い合わせの種類（フォームの選択肢の順）")


class InquiryIn(Schema):
    kind: str = Field(max_length=20, description=f"種類のコード: {KINDS}")
    subject: str = Field(max_length=1000, description="件名（100文字以内）")
    body: str = Field(max_length=20_000, description="本文（4000文字以内）")
    contract_id: int | None = Field(
        default=None, description="関係するご契約（契約一覧の id。表示中のものだけ）。任意"
    )


class ReplyIn(Schema):
    body: str = Field(max_length=20_000, description="追加で書き込む内容（4000文字以内）")


class InquirySummaryOut(Schema):
    id: int = Field(description="お問い合わせの番号")
    reference: str = Field(description="受付番号（例: Q-2026-000123）。電話で伝える番号")
    kind: KindCode = Field(description="種類のコード")
    kind_label: str = Field(description="種類の名前")
    subject: str = Field(description="件名")
    status: StatusCode = Field(
        description="状態: new 未対応、in_progress 対応中、answered 回答済み、closed 完了"
    )
    status_label: str = Field(description="状態の名前")
    contract_number: str | None = Field(description="関係するご契約の使用者番号（伏せ字）")
    created_at: dt.datetime = Field(description="受付日時")
    answered_at: dt.datetime | None = Field(description="最新の回答の日時。まだなら null")


class InquiryListOut(Schema):
    inquiries: list[InquirySummaryOut] = Field(description="これまでのお問い合わせ（新しい順）")


class MessageOut(Schema):
    from_staff: bool = Field(description="町（職員）からの回答なら true、会員の書き込みなら false")
    body: str = Field(description="本文（プレーンテキスト）")
    created_at: dt.datetime = Field(description="日時")


class InquiryOut(InquirySummaryOut):
    can_reply: bool = Field(
        description="書き込める（完了したお問い合わせには書き込めない: 新しく送る）"
    )
    messages: list[MessageOut] = Field(description="やりとり（古い順。最初が問い合わせの内容）")


def _summary(inquiry: Inquiry) -> dict:
    return {
        "id": inquiry.pk,
        "reference": inquiry.reference,
        "kind": inquiry.kind,
        "kind_label": str(inquiry.get_kind_display()),
        "subject": inquiry.subject,
        "status": inquiry.status,
        "status_label": str(inquiry.get_status_display()),
        "contract_number": inquiry.customer.masked_number if inquiry.customer else None,
        "created_at": inquiry.created_at,
        "answered_at": inquiry.answered_at,
    }


def _thread(inquiry: Inquiry) -> InquiryOut:
    return InquiryOut(
        **_summary(inquiry),
        can_reply=inquiry.status != InquiryStatus.CLOSED,
        messages=[
            MessageOut(from_staff=m.from_staff, body=m.body, created_at=m.created_at)
            for m in inquiry.messages.all()
        ],
    )


def _own(request, inquiry_id: int) -> Inquiry:
    return get_object_or_404(
        Inquiry.objects.select_related("customer"),
        pk=inquiry_id,
        tenant=request.tenant,
        member=request.member,
    )


def _invalid(form) -> Problem:
    problem = invalid(form)
    for error in problem.errors or []:
        error["field"] = FIELD_NAMES.get(error["field"], error["field"])
    return problem


def _limited(request, exc: actions.Limited) -> Problem:
    return Problem("too_many_requests", texts.limited(exc, request.tenant), retry_at=exc.until)


def _contract_error() -> Problem:
    message = texts.contract_not_yours()
    return Problem("invalid_input", message, errors=[{"field": "contract_id", "message": message}])


INQUIRY_ID = Path(..., description="お問い合わせの番号")


@router.get(
    TOWN + "/inquiries/kinds",
    response={200: KindsOut, **errors(401, 403, 404)},
    summary="お問い合わせの種類",
    description="新しいお問い合わせの kind に使うコードと、その名前（フォームの選択肢と同じ）。",
    operation_id="list_inquiry_kinds",
)
def list_kinds(request, slug: str = slug_param()):
    return KindsOut(
        kinds=[KindOut(value=cast(KindCode, k.value), label=str(k.label)) for k in Kind]
    )


@router.get(
    TOWN + "/inquiries",
    response={200: InquiryListOut, **errors(401, 403, 404)},
    summary="これまでのお問い合わせ",
    operation_id="list_inquiries",
)
def list_inquiries(request, slug: str = slug_param()):
    inquiries = (
        Inquiry.objects.filter(tenant=request.tenant, member=request.member)
        .select_related("customer")
        .order_by("-created_at", "-pk")
    )
    return InquiryListOut(inquiries=[InquirySummaryOut(**_summary(i)) for i in inquiries])


@router.post(
    TOWN + "/inquiries",
    response={201: InquiryOut, **errors(401, 403, 404, 422, 429)},
    summary="お問い合わせを送る",
    description="Web のお問い合わせフォームと同じ確認・同じ上限です。受付番号を書いた確認の"
    "メールが届きます。短い時間に続けて送ると 429（Retry-After 付き）。",
    operation_id="submit_inquiry",
)
def submit_inquiry(request, payload: InquiryIn, slug: str = slug_param()):
    member = request.member
    choice = ""
    if payload.contract_id is not None:
        link = services.visible_link(member, payload.contract_id, services.today_in_japan())
        # Not one of theirs: a choice the form does not offer, refused in its words.
        choice = str(link.customer_id) if link is not None else "0"
    form = InquiryForm(
        {
            "kind": payload.kind,
            "subject": payload.subject,
            "body": payload.body,
            "customer": choice,
        },
        contracts=list(actions.contract_choices(member)),
    )
    if not form.is_valid():
        raise _invalid(form)
    data = form.cleaned_data
    try:
        inquiry = actions.do_submit_inquiry(
            member,
            kind=data["kind"],
            subject=data["subject"],
            body=data["body"],
            customer=form.contract(),
            source=source(request),
        )
    except actions.Limited as exc:
        raise _limited(request, exc) from exc
    except actions.ContractNotYours as exc:
        raise _contract_error() from exc
    return Status(201, _thread(_own(request, inquiry.pk)))


@router.get(
    TOWN + "/inquiries/{inquiry_id}",
    response={200: InquiryOut, **errors(401, 403, 404, 422)},
    summary="お問い合わせとそのやりとり",
    description="ほかの会員のもの、会員以外が送ったものは 404。",
    operation_id="get_inquiry",
)
def get_inquiry(request, inquiry_id: int = INQUIRY_ID, slug: str = slug_param()):
    return _thread(_own(request, inquiry_id))


@router.post(
    TOWN + "/inquiries/{inquiry_id}/replies",
    response={201: InquiryOut, **errors(401, 403, 404, 409, 422, 429)},
    summary="お問い合わせに書き込む",
    description="回答済みのものに書き込むと、町の回答待ちに戻ります。完了したお問い合わせには"
    "書き込めません（409 inquiry_closed: 新しく送ってください）。",
    operation_id="reply_to_inquiry",
)
def reply_to_inquiry(
    request, payload: ReplyIn, inquiry_id: int = INQUIRY_ID, slug: str = slug_param()
):
    inquiry = _own(request, inquiry_id)
    form = ReplyForm({"body": payload.body})
    if not form.is_valid():
        raise _invalid(form)
    try:
        actions.do_resident_reply(
            inquiry, body=form.cleaned_data["body"], member=request.member, source=source(request)
        )
    except actions.InquiryClosed as exc:
        raise Problem("inquiry_closed", texts.closed()) from exc
    except actions.Limited as exc:
        raise _limited(request, exc) from exc
    return Status(201, _thread(_own(request, inquiry_id)))

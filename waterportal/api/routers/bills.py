"""A member's contracts and bills: the home page's cards, a contract's history, one
period, and the statement (PDF) and history (CSV) files.

The same reads as the web's pages (``billing.services``), the same 404 for anything that
is not the member's own active link (``visible_link``: another member's, another town's,
revoked, or not active yet, alike), and the same looks on record (``billing.looks``).
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext
from ninja import Path, Router, Schema
from pydantic import Field

from waterportal.api import auth
from waterportal.api.caching import NEVER_STORE, kept, revalidated
from waterportal.api.common import TOWN, slug_param, source
from waterportal.api.problems import Problem, errors
from waterportal.billing import files, formatting, services
from waterportal.billing.looks import record_look
from waterportal.contracts.models import Customer, Link
from waterportal.tenants import freshness

router = Router(tags=["契約と料金"], auth=auth.member)

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
ContractState = Literal["waiting", "active", "ended"]
PaymentKind = Literal["scheduled", "debited", "debit_failed", "paid", "due", "overdue", "checking"]


def month_param():
    return Path(..., pattern=MONTH_PATTERN, description="調定年月（YYYY-MM。例: 2026-10）")


def link_param():
    return Path(..., description="契約の番号（契約一覧の id）")


# --- What is answered ---------------------------------------------------------------


class PaymentOut(Schema):
    state: PaymentKind = Field(
        description="支払いの状況: scheduled 口座振替予定、debited 口座振替済、debit_failed "
        "振替不能、paid お支払い済み、due 納期限前、overdue 納期限後で確認中、checking "
        "引き落とし結果の確認中"
    )
    label: str = Field(description="状況を短く（画面の見出し。例: 口座振替予定）")
    message: str = Field(description="状況の説明と、すること（Web の明細と同じ文）")
    paid_on: dt.date | None = Field(description="収納日（収納の記録があるとき）")
    paid_amount: int | None = Field(description="収納金額（円）")
    method: str | None = Field(description="収納方法（例: 口座振替、コンビニ）")


class ChargesOut(Schema):
    water_charge: int = Field(description="水道料金（円、税込）")
    basic_charge: int | None = Field(description="うち基本料金（円）。内訳がないときは null")
    volume_charge: int | None = Field(description="うち従量料金（円）。内訳がないときは null")
    sewer_charge: int = Field(description="下水道使用料（円、税込）。下水道のない町は 0")
    tax: int = Field(description="うち消費税額（円）")
    amount: int = Field(description="請求金額（円）")


class ComparisonOut(Schema):
    label: str = Field(description="比べる相手: 前回 または 前年同期")
    month: str = Field(description="比べる期間の調定年月（YYYY-MM）")
    usage_diff_m3: int = Field(description="使用水量の差（m³。増えたら正）")
    amount_diff: int = Field(description="請求金額の差（円。増えたら正）")


class BillOut(Schema):
    month: str = Field(description="調定年月（YYYY-MM）")
    reading_date: dt.date = Field(description="検針日")
    previous_reading: int = Field(description="前回指針（m³）")
    current_reading: int = Field(description="今回指針（m³）")
    usage_m3: int = Field(description="使用水量（m³）")
    days: int | None = Field(description="使用日数。わからないときは null")
    daily_average_m3: Decimal | None = Field(
        description="1日あたりの使用水量（m³、小数1桁、四捨五入）。使用日数がないときは null"
    )
    daily_litres: int | None = Field(description="1日あたりの使用水量（リットル、概数）")
    amount: int = Field(description="請求金額（円）")
    charges: ChargesOut = Field(description="料金の内訳")
    due_date: dt.date = Field(description="納期限")
    payment_method: str = Field(description="契約の支払方法（口座振替・納付書）。不明は空")
    reading_status: str = Field(description="検針状況のコード（認定・漏水など）。通常は空")
    reading_status_text: str = Field(description="検針状況の説明。通常は空")
    meter_replaced: bool = Field(
        description="この期間にメーターを交換した（指針の差と使用水量は一致しない）"
    )
    payment: PaymentOut = Field(description="支払いの状況")
    comparisons: list[ComparisonOut] = Field(description="前回・前年同期との比較（あるものだけ）")


class BillPageOut(BillOut):
    newer_month: str | None = Field(description="次に新しい期間の調定年月。これが最新なら null")


class ContractOut(Schema):
    id: int = Field(description="契約の番号（料金の操作の link_id）")
    number: str = Field(description="使用者番号（下4桁のほかは伏せ字）")
    address: str = Field(description="給水場所")
    relationship: str = Field(description="契約者との関係（本人・家族・代理人・その他）")
    state: ContractState = Field(
        description="状態: waiting まだ有効でない（active_from から表示）、active 表示中、"
        "ended 契約が中止（これまでの記録は表示）"
    )
    active_from: dt.date = Field(description="表示開始日")
    latest: BillOut | None = Field(
        description="最新の請求（ホーム画面のカード）。waiting のとき、検針結果がまだないときは null"
    )


class ContractsOut(Schema):
    contracts: list[ContractOut] = Field(description="会員のご契約（登録した順）")


class HistoryRowOut(Schema):
    month: str = Field(description="調定年月（YYYY-MM）")
    reading_date: dt.date = Field(description="検針日")
    usage_m3: int = Field(description="使用水量（m³）")
    days: int | None = Field(description="使用日数。わからないときは null")
    daily_average_m3: Decimal | None = Field(description="1日あたりの使用水量（m³、小数1桁）")
    amount: int = Field(description="請求金額（円）")
    due_date: dt.date = Field(description="納期限")
    payment: PaymentOut = Field(description="支払いの状況")


class HistoryOut(Schema):
    contract_id: int = Field(description="契約の番号")
    number: str = Field(description="使用者番号（下4桁のほかは伏せ字）")
    bills: list[HistoryRowOut] = Field(description="すべての期間（新しい順）")


def _payment(state, bill) -> PaymentOut:
    payment = services.payment_of(bill)
    return PaymentOut(
        state=state.kind,
        label=state.label,
        message=state.message,
        paid_on=payment.paid_on if payment else None,
        paid_amount=payment.amount if payment else None,
        method=payment.method if payment else None,
    )


def _bill(view: services.BillView, customer: Customer) -> dict:
    bill = view.bill
    return {
        "month": formatting.month_slug(bill.billing_month),
        "reading_date": bill.reading_date,
        "previous_reading": bill.previous_reading,
        "current_reading": bill.current_reading,
        "usage_m3": bill.usage_m3,
        "days": bill.days,
        "daily_average_m3": view.daily_average,
        "daily_litres": view.daily_litres,
        "amount": bill.amount,
        "charges": ChargesOut(
            water_charge=bill.water_charge,
            basic_charge=bill.basic_charge,
            volume_charge=bill.volume_charge,
            sewer_charge=bill.sewer_charge,
            tax=bill.tax,
            amount=bill.amount,
        ),
        "due_date": bill.due_date,
        "payment_method": str(customer.get_payment_method_display()),
        "reading_status": bill.reading_status,
        "reading_status_text": view.reading_status_text if bill.reading_status else "",
        "meter_replaced": bill.meter_replaced,
        "payment": _payment(view.state, bill),
        "comparisons": [
            ComparisonOut(
                label=c.label,
                month=formatting.month_slug(c.month),
                usage_diff_m3=c.usage_diff,
                amount_diff=c.amount_diff,
            )
            for c in view.comparisons
        ],
    }


def _state(card: services.ContractCard) -> ContractState:
    if card.pending:
        return "waiting"
    return "ended" if card.ended else "active"


def _page(page: services.BillPage, customer: Customer) -> BillPageOut:
    newer = formatting.month_slug(page.newer_month) if page.newer_month else None
    return BillPageOut(**_bill(page.view, customer), newer_month=newer)


def _month(slug: str) -> dt.date:
    year, month = slug.split("-")
    return dt.date(int(year), int(month), 1)


def _link(request, link_id: int, today: dt.date) -> Link:
    link = services.visible_link(request.member, link_id, today)
    if link is None:
        raise Problem(
            "not_found",
            gettext(
                "このアカウントで表示できるご契約ではありません。契約の一覧から選び直してください。"
            ),
        )
    return link


def _looked(request, what: str, link: Link | None = None, month: dt.date | None = None) -> None:
    record_look(
        request.tenant, request.member, what, source=source(request), link=link, month=month
    )


def _never_stored(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, **NEVER_STORE)
    return response


# --- The operations -------------------------------------------------------------------

ETAG_HEADERS = {
    "responses": {
        200: {
            "headers": {
                "ETag": {
                    "description": "本文のハッシュ（強い ETag）。次の If-None-Match に送る",
                    "schema": {"type": "string"},
                },
                "Cache-Control": {
                    "description": "private, no-cache（アプリは保存してよいが、毎回確かめる）",
                    "schema": {"type": "string"},
                },
            }
        }
    }
}
IF_NONE_MATCH = {
    "parameters": [
        {
            "in": "header",
            "name": "If-None-Match",
            "required": False,
            "description": "前回の答えの ETag。変わっていなければ 304（本文なし）",
            "schema": {"type": "string"},
        }
    ]
}
LIST_EXTRA = ETAG_HEADERS | IF_NONE_MATCH

# 422: a link_id that is not a number.
LISTED = {304: None, **errors(401, 403, 404)}
ON_A_LINK = {304: None, **errors(401, 403, 404, 422)}


@router.get(
    TOWN + "/contracts",
    response={200: ContractsOut, **LISTED},
    summary="ご契約の一覧（ホーム画面のカード）",
    description="会員のご契約ごとに、状態と最新の請求（Web のホーム画面と同じ）。"
    "ETag が付きます。前回の ETag を If-None-Match で送ると、変わっていなければ 304（本文なし）。",
    operation_id="list_contracts",
    openapi_extra=LIST_EXTRA,
)
def list_contracts(request, response: HttpResponse, slug: str = slug_param()):
    today = services.today_in_japan()
    cards = services.home_cards(request.member, request.tenant, today)
    out = ContractsOut(
        contracts=[
            ContractOut(
                id=card.link.pk,
                number=card.customer.masked_number,
                address=card.customer.address,
                relationship=str(card.link.get_relationship_display()),
                state=_state(card),
                active_from=card.link.active_from,
                latest=BillOut(**_bill(card.latest, card.customer)) if card.latest else None,
            )
            for card in cards
        ]
    )
    _looked(request, "viewed_home")
    return revalidated(request, response, out)


@router.get(
    TOWN + "/contracts/{link_id}/bills",
    response={200: HistoryOut, **ON_A_LINK},
    summary="料金の履歴（すべての期間、新しい順）",
    description="Web の「これまでの使用量と料金」と同じ内容です。ETag と 304 は契約の一覧と同じ。",
    operation_id="list_bills",
    openapi_extra=LIST_EXTRA,
)
def list_bills(
    request, response: HttpResponse, link_id: int = link_param(), slug: str = slug_param()
):
    today = services.today_in_japan()
    # Taken before any data is read (see waterportal.tenants.freshness).
    version = freshness.cards_version(request.tenant.pk)
    link = _link(request, link_id, today)

    def history() -> HistoryOut:
        rows = services.history_rows(link, request.tenant, today)
        return HistoryOut(
            contract_id=link.pk,
            number=link.customer.masked_number,
            bills=[
                HistoryRowOut(
                    month=row.month_slug,
                    reading_date=row.bill.reading_date,
                    usage_m3=row.bill.usage_m3,
                    days=row.bill.days,
                    daily_average_m3=row.daily_average,
                    amount=row.bill.amount,
                    due_date=row.bill.due_date,
                    payment=_payment(row.state, row.bill),
                )
                for row in rows
            ],
        )

    _looked(request, "viewed_history", link)
    # The link is checked above on every request; what is kept is its history, which
    # changes only with the town's data (the version), the day (a due date passing)
    # and the language of its texts.
    key = ("history", link.pk, get_language(), today.isoformat(), version)
    return kept(request, response, key, history)


FILE_CSV = {
    200: {
        "description": "料金の履歴の CSV（Web と同じファイル、UTF-8・BOM 付き）",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get(
    TOWN + "/contracts/{link_id}/bills.csv",
    response={**errors(401, 403, 404, 422)},
    summary="料金の履歴の CSV をダウンロード",
    description="Web の履歴 CSV と同じファイルです（日本語、Excel で開ける形）。",
    operation_id="download_bills_csv",
    openapi_extra={"responses": FILE_CSV},
)
def download_bills_csv(request, link_id: int = link_param(), slug: str = slug_param()):
    today = services.today_in_japan()
    link = _link(request, link_id, today)
    response = files.history_csv_response(link, request.tenant, today)
    _looked(request, "downloaded_history_csv", link)
    return _never_stored(response)


NO_BILLS_YET = "まだ表示できる検針結果がありません。次の検針のあとに表示されます。"


@router.get(
    TOWN + "/contracts/{link_id}/bills/latest",
    response={200: BillPageOut, **errors(401, 403, 404, 422)},
    summary="最新の請求の明細",
    description="いちばん新しい期間の明細です。検針結果がまだないときは 404。",
    operation_id="get_latest_bill",
)
def get_latest_bill(request, link_id: int = link_param(), slug: str = slug_param()):
    today = services.today_in_japan()
    link = _link(request, link_id, today)
    page = services.latest_bill_page(link, request.tenant, today)
    if page is None:
        raise Problem("not_found", gettext(NO_BILLS_YET))
    _looked(request, "viewed_bill", link, page.view.bill.billing_month)
    return _page(page, link.customer)


def _no_bill() -> Problem:
    return Problem(
        "not_found", gettext("この期間の請求はありません。料金の履歴から選んでください。")
    )


@router.get(
    TOWN + "/contracts/{link_id}/bills/{month}",
    response={200: BillPageOut, **errors(401, 403, 404, 422)},
    summary="1期間の明細（検針・使用水量・料金の内訳・支払い）",
    description="Web の「この期間の明細」と同じ内容です。その期間の請求がなければ 404、"
    "month や link_id の形が違えば 422。",
    operation_id="get_bill",
)
def get_bill(
    request,
    link_id: int = link_param(),
    month: str = month_param(),
    slug: str = slug_param(),
):
    today = services.today_in_japan()
    link = _link(request, link_id, today)
    first_day = _month(month)
    page = services.bill_page(link, first_day, request.tenant, today)
    if page is None:
        raise _no_bill()
    _looked(request, "viewed_bill", link, first_day)
    return _page(page, link.customer)


FILE_PDF = {
    200: {
        "description": "請求書の PDF（Web と同じファイル）",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    TOWN + "/contracts/{link_id}/bills/{month}/statement.pdf",
    response={**errors(401, 403, 404, 422)},
    summary="請求書の PDF",
    description="Web の「請求書（PDF）」と同じファイルです（日本語）。",
    operation_id="download_statement",
    openapi_extra={"responses": FILE_PDF},
)
def download_statement(
    request,
    link_id: int = link_param(),
    month: str = month_param(),
    slug: str = slug_param(),
):
    today = services.today_in_japan()
    link = _link(request, link_id, today)
    first_day = _month(month)
    response = files.statement_response(link, first_day, request.tenant, today)
    if response is None:
        raise _no_bill()
    _looked(request, "downloaded_statement", link, first_day)
    return _never_stored(response)

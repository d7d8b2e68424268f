"""The member's account from an app, by the web account pages' forms and actions: the
address, the password, the notification emails, 退会, new texts to accept, contracts to
add and remove; and, with no sign-in, a forgotten password."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.views.decorators.debug import sensitive_variables
from ninja import Path, Router, Schema, Status
from pydantic import Field, StrictBool, StrictInt

from waterportal.accounts import actions, codes, texts
from waterportal.accounts.forms import (
    CodeForm,
    ContractNumberForm,
    EmailChangeForm,
    EmailForm,
    NotificationsForm,
    PasswordChangeForm,
    RelationshipForm,
    ResetPasswordForm,
    WithdrawForm,
)
from waterportal.accounts.models import User, normalize_email
from waterportal.api import auth
from waterportal.api.common import TOWN, slug_param, source
from waterportal.api.problems import Problem, errors, invalid
from waterportal.api.routers.registration import (
    RelationshipChoice,
    code_problem,
    contract_problem,
    send_problem,
)
from waterportal.contracts import actions as contract_actions
from waterportal.contracts.models import Link
from waterportal.devices import actions as device_actions
from waterportal.limits import ratelimit
from waterportal.tenants import versions

router = Router(tags=["アカウント"])


class SentOut(Schema):
    sent: bool = Field(
        default=True,
        description="受け付けました（メールアドレスに登録があるかどうかは答えません）",
    )
    code_valid_minutes: int = Field(description="認証コードの有効な時間（分）")


def sent() -> SentOut:
    return SentOut(code_valid_minutes=codes.ttl_minutes())


def check_password(request, form, field: str = "current_password") -> None:
    """The web's current-password rule (``actions.check_current_password``) as problems."""
    try:
        actions.check_current_password(
            request.member, form.cleaned_data[field], source=source(request)
        )
    except ratelimit.Limited as exc:
        raise Problem(
            "too_many_requests", texts.password_check_locked(exc.until), retry_at=exc.until
        ) from exc
    except actions.CurrentPasswordWrong as exc:
        message = str(texts.CURRENT_PASSWORD_WRONG)
        raise Problem(
            "invalid_input", message, errors=[{"field": field, "message": message}]
        ) from exc


# --- A forgotten password (no sign-in) ---------------------------------------------------


class ResetRequestIn(Schema):
    email: str = Field(max_length=254, description="登録したメールアドレス")


@router.post(
    TOWN + "/password-reset",
    response={202: SentOut, **errors(404, 422, 429)},
    summary="パスワードの再設定: 認証コードをメールで送る",
    description="登録のないアドレスでも同じ答えです（メールは登録のあるアドレスにだけ届きます）。",
    operation_id="password_reset_request",
)
def password_reset_request(request, payload: ResetRequestIn, slug: str = slug_param()):
    form = EmailForm({"email": payload.email})
    if not form.is_valid():
        raise invalid(form)
    try:
        actions.do_request_password_reset(
            request.tenant, form.cleaned_data["email"], source=source(request)
        )
    except codes.SendTooSoon as exc:
        raise send_problem(exc) from exc
    return Status(202, sent())


class ResetConfirmIn(Schema):
    email: str = Field(max_length=254, description="認証コードを受け取ったメールアドレス")
    code: str = Field(max_length=20, description="メールに書かれた6桁の認証コード")
    password1: str = Field(max_length=1024, description="新しいパスワード")
    password2: str = Field(max_length=1024, description="新しいパスワード（確認）")


@router.post(
    TOWN + "/password-reset/confirm",
    response={204: None, **errors(404, 422)},
    summary="パスワードの再設定: 認証コードと新しいパスワード（2回）",
    description="ほかの端末とブラウザーのログインはすべて終わります。新しいパスワードでログインしてください。",
    operation_id="password_reset_confirm",
)
@sensitive_variables("payload")
def password_reset_confirm(request, payload: ResetConfirmIn, slug: str = slug_param()):
    email_form = EmailForm({"email": payload.email})
    if not email_form.is_valid():
        raise invalid(email_form)
    email = normalize_email(email_form.cleaned_data["email"])
    member = User.members.filter(tenant=request.tenant, email=email).first()
    form = ResetPasswordForm(
        {"code": payload.code, "password1": payload.password1, "password2": payload.password2},
        member=member,
        tenant=request.tenant,
        email=email,
    )
    if not form.is_valid():
        raise invalid(form)
    try:
        actions.do_reset_password(
            request.tenant, email, form.cleaned_data["code"], form.cleaned_data["password1"]
        )
    except codes.CodeError as exc:
        raise code_problem(exc) from exc
    return Status(204, None)


# --- The address -------------------------------------------------------------------------


class EmailChangeIn(Schema):
    email: str = Field(max_length=254, description="新しいメールアドレス")
    current_password: str = Field(max_length=1024, description="今のパスワード")


@router.post(
    TOWN + "/account/email",
    auth=auth.member,
    response={202: SentOut, **errors(401, 403, 404, 422, 429)},
    summary="メールアドレスの変更: 新しいアドレスに認証コードを送る",
    description="今のパスワードの誤りはログインの失敗として数えます（続くと 429）。"
    "コードを送り直すときも、同じ内容でもう一度送ります（1分に1回まで）。",
    operation_id="email_change_request",
)
@sensitive_variables("payload")
def email_change_request(request, payload: EmailChangeIn, slug: str = slug_param()):
    form = EmailChangeForm(payload.dict())
    if not form.is_valid():
        raise invalid(form)
    new_email = form.cleaned_data["email"]
    if new_email == request.member.email:
        message = str(texts.EMAIL_SAME)
        raise Problem("invalid_input", message, errors=[{"field": "email", "message": message}])
    check_password(request, form)
    try:
        actions.do_request_email_change(request.member, new_email)
    except codes.SendTooSoon as exc:
        raise send_problem(exc) from exc
    return Status(202, sent())


class EmailConfirmIn(Schema):
    email: str = Field(max_length=254, description="新しいメールアドレス（コードを送った先）")
    code: str = Field(max_length=20, description="新しいアドレスに届いた6桁の認証コード")


class AccountOut(Schema):
    email: str = Field(description="メールアドレス")
    name: str = Field(description="お名前")
    notify_new_bill: bool = Field(description="新しい請求のお知らせメールを受け取る")
    notify_notices: bool = Field(description="重要なお知らせのメールを受け取る")


def account_out(member) -> AccountOut:
    return AccountOut(
        email=member.email,
        name=member.name,
        notify_new_bill=member.notify_new_bill,
        notify_notices=member.notify_notices,
    )


@router.post(
    TOWN + "/account/email/confirm",
    auth=auth.member,
    response={200: AccountOut, **errors(401, 403, 404, 409, 422)},
    summary="メールアドレスの変更: 認証コードを確かめて変える",
    description="ほかのアカウントが使っているアドレスは 409 email_taken（アドレスは変わりません）。",
    operation_id="email_change_confirm",
)
@sensitive_variables("payload")
def email_change_confirm(request, payload: EmailConfirmIn, slug: str = slug_param()):
    email_form = EmailForm({"email": payload.email})
    code_form = CodeForm({"code": payload.code})
    for form in (email_form, code_form):
        if not form.is_valid():
            raise invalid(form)
    try:
        member = actions.do_change_email(
            request.member, email_form.cleaned_data["email"], code_form.cleaned_data["code"]
        )
    except codes.CodeError as exc:
        raise code_problem(exc) from exc
    except actions.EmailTaken as exc:
        raise Problem("email_taken", str(texts.EMAIL_CHANGE_TAKEN)) from exc
    return account_out(member)


# --- Password, notifications -------------------------------------------------------------


class PasswordChangeIn(Schema):
    current_password: str = Field(max_length=1024, description="今のパスワード")
    password1: str = Field(max_length=1024, description="新しいパスワード")
    password2: str = Field(max_length=1024, description="新しいパスワード（確認）")


@router.post(
    TOWN + "/account/password",
    auth=auth.member,
    response={204: None, **errors(401, 403, 404, 422, 429)},
    summary="パスワードの変更",
    description="この端末はログインしたままで、ほかの端末とブラウザーのログインは終わります。",
    operation_id="password_change",
)
@sensitive_variables("payload")
def password_change(request, payload: PasswordChangeIn, slug: str = slug_param()):
    form = PasswordChangeForm(payload.dict(), member=request.member)
    if not form.is_valid():
        raise invalid(form)
    check_password(request, form)
    member = actions.do_change_password(
        request.member, form.cleaned_data["password1"], keep_app=request.app_sign_in
    )
    device_actions.keep_signed_in(request.app_sign_in, member)
    return Status(204, None)


class NotificationsIn(Schema):
    notify_new_bill: StrictBool = Field(description="新しい請求のお知らせメールを受け取る")
    notify_notices: StrictBool = Field(description="重要なお知らせのメールを受け取る")


@router.put(
    TOWN + "/account/notifications",
    auth=auth.member,
    response={200: AccountOut, **errors(401, 403, 404, 422)},
    summary="お知らせメールの設定",
    operation_id="notifications_change",
)
def notifications_change(request, payload: NotificationsIn, slug: str = slug_param()):
    form = NotificationsForm({k: v for k, v in payload.dict().items() if v})
    if not form.is_valid():
        raise invalid(form)
    member = actions.do_change_notification_settings(
        request.member,
        notify_new_bill=form.cleaned_data["notify_new_bill"],
        notify_notices=form.cleaned_data["notify_notices"],
    )
    return account_out(member)


# --- 退会 ---------------------------------------------------------------------------------


class WithdrawIn(Schema):
    current_password: str = Field(max_length=1024, description="今のパスワード")
    confirm: StrictBool = Field(description="説明を読み、退会します（true が必要）")


@router.post(
    TOWN + "/account/withdraw",
    auth=auth.member,
    response={204: None, **errors(401, 403, 404, 422, 429)},
    summary="退会する",
    description="お名前・メールアドレス・ご契約とのつながりを消し、すべての端末のログインを"
    "終えます。町の台帳（ご契約・請求）は残ります。",
    operation_id="withdraw",
)
@sensitive_variables("payload")
def withdraw(request, payload: WithdrawIn, slug: str = slug_param()):
    form = WithdrawForm(
        {"current_password": payload.current_password, "confirm": payload.confirm or ""}
    )
    if not form.is_valid():
        raise invalid(form)
    check_password(request, form)
    actions.do_withdraw_member(request.member)
    return Status(204, None)


# --- New texts ---------------------------------------------------------------------------


class PendingTextOut(Schema):
    version_id: int = Field(description="版の番号（同意するときに送る）")
    kind: str = Field(description="terms（利用規約）または privacy（個人情報の取り扱い）")
    label: str = Field(description="版の名前")
    text: str = Field(description="本文")
    added: list[str] = Field(description="前に同意した版から加わった・変わった行")
    removed: list[str] = Field(description="前に同意した版から除かれた行")


@router.get(
    TOWN + "/account/texts",
    auth=auth.member_before_texts,
    response={200: list[PendingTextOut], **errors(401, 404)},
    summary="まだ同意していない新しい利用規約・個人情報の取り扱い",
    description="空でないあいだ、ほかの操作は 403 terms_not_accepted です。",
    operation_id="pending_texts",
)
def pending_texts(request, slug: str = slug_param()):
    out = []
    for version in versions.pending_versions(request.member):
        before = versions.previously_accepted(request.member, version)
        added, removed = versions.changes(before.text if before else "", version.text)
        out.append(
            PendingTextOut(
                version_id=version.pk,
                kind=version.kind,
                label=version.label,
                text=version.text,
                added=added,
                removed=removed,
            )
        )
    return out


class AcceptIn(Schema):
    version_ids: list[StrictInt] = Field(max_length=10, description="読んで同意した版の番号")


class AcceptOut(Schema):
    accepted: list[int] = Field(description="同意を記録した版の番号")
    pending: list[int] = Field(
        description="まだ同意が必要な版（表示中に新しい版が出たとき）。空なら完了"
    )


@router.post(
    TOWN + "/account/texts/accept",
    auth=auth.member_before_texts,
    response={200: AcceptOut, **errors(401, 404, 422)},
    summary="新しい利用規約・個人情報の取り扱いに同意する",
    operation_id="accept_texts",
)
def accept_texts(request, payload: AcceptIn, slug: str = slug_param()):
    agreed = actions.do_accept_text_versions(
        request.member, payload.version_ids, source=source(request)
    )
    return AcceptOut(
        accepted=[v.pk for v in agreed],
        pending=[v.pk for v in versions.pending_versions(request.member)],
    )


# --- Contracts ---------------------------------------------------------------------------


class AddContractIn(Schema):
    number: str = Field(max_length=30, description="使用者番号（検針票のとおり）")
    kana: str = Field(max_length=100, description="カナ氏名（検針票のとおり）")
    relationship: RelationshipChoice = Field(description="申込者と契約者の関係")


class AddedContractOut(Schema):
    link_id: int = Field(description="このアカウントでのご契約の番号")
    masked_number: str = Field(description="使用者番号（一部を伏せたもの）")
    relationship: RelationshipChoice = Field(description="契約者との関係")
    active_from: dt.date = Field(description="使用量・料金を見られるようになる日")
    active_from_text: str = Field(description="その日の日本語")


@router.post(
    TOWN + "/account/contracts",
    auth=auth.member,
    response={201: AddedContractOut, **errors(401, 403, 404, 409, 422, 429)},
    summary="ご契約を追加する（使用者番号・カナ氏名・関係）",
    description="登録のときと同じ照合と回数の上限です（誤りが続くと 429）。すでにこの"
    "アカウントにあるご契約は 409 conflict です。",
    operation_id="contract_add",
)
def contract_add(request, payload: AddContractIn, slug: str = slug_param()):
    member = request.member
    data = {"number": payload.number, "kana": payload.kana}
    number_form = ContractNumberForm(data)
    relationship_form = RelationshipForm({"relationship": str(payload.relationship)})
    for form in (number_form, relationship_form):
        if not form.is_valid():
            raise invalid(form)
    relationship = relationship_form.cleaned_data["relationship"]
    try:
        customer = contract_actions.find_contract_to_add(
            member, number_form.cleaned_data["number"], number_form.cleaned_data["kana"]
        )
        link = contract_actions.do_add_contract(member, customer, relationship)
    except contract_actions.AlreadyLinked as exc:
        raise Problem("conflict", texts.contract_refused(exc, request.tenant)) from exc
    except contract_actions.SelfTaken as exc:
        raise contract_problem(exc, request.tenant, "relationship") from exc
    except contract_actions.ContractError as exc:
        raise contract_problem(exc, request.tenant) from exc
    return Status(
        201,
        AddedContractOut(
            link_id=link.pk,
            masked_number=customer.masked_number,
            relationship=RelationshipChoice(link.relationship),
            active_from=link.active_from,
            active_from_text=texts.japanese_date(link.active_from),
        ),
    )


@router.delete(
    TOWN + "/account/contracts/{link_id}",
    auth=auth.member,
    response={204: None, **errors(401, 403, 404, 422)},
    summary="ご契約をこのアカウントの一覧から外す",
    description="町の台帳（ご契約・請求）はそのままです。あとで追加し直せます。",
    operation_id="contract_remove",
)
def contract_remove(
    request,
    slug: str = slug_param(),
    link_id: int = Path(..., description="このアカウントでのご契約の番号"),
):
    link = get_object_or_404(Link, pk=link_id, member=request.member, revoked_at__isnull=True)
    contract_actions.do_revoke_link(request.member, link)
    return Status(204, None)

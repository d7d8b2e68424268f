"""Registration from an app, in the town's guide's steps (2–9) and by the web's own code:
the same forms, the same ``signup`` steps and actions, the same Japanese messages.

The web keeps the flow's key in the session; an app holds it as ``registration_id``
and sends it back in the ``X-Registration-Key`` header of every step. It is a bearer
secret for the flow (``secrets.token_urlsafe(32)``: 256 random bits), so it never
travels in an address, where access logs would keep it, and the header's name holds
"KEY", which Django's error reports blank out.
"""

import datetime as dt
import enum

from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables
from ninja import Header, Router, Schema, Status
from pydantic import Field

from waterportal.accounts import actions, codes, signup, texts
from waterportal.accounts.forms import CodeForm, ContractForm, EmailForm, PrivacyForm, ProfileForm
from waterportal.accounts.models import SignupFlow
from waterportal.api.common import TOWN, slug_param, source
from waterportal.api.problems import Problem, errors, invalid
from waterportal.contracts import actions as contract_actions
from waterportal.contracts.models import Relationship
from waterportal.tenants import versions

router = Router(tags=["会員登録"])

KEY_HEADER = "X-Registration-Key"
KEY_DESCRIPTION = "登録の手続きの番号（最初の手順の答えの registration_id）。秘密にしてください"

RelationshipChoice = enum.StrEnum(  # type: ignore[misc]
    "RelationshipChoice", {choice.name: choice.value for choice in Relationship}
)
Step = enum.StrEnum("Step", {step.upper(): step for step in signup.STEPS})  # type: ignore[misc]


def key_param():
    return Header("", alias=KEY_HEADER, description=KEY_DESCRIPTION, max_length=100)


class ChoiceOut(Schema):
    value: str = Field(description="送る値")
    label: str = Field(description="表示する言葉")


def relationship_choices() -> list[ChoiceOut]:
    return [ChoiceOut(value=value, label=str(label)) for value, label in Relationship.choices]


class StateOut(Schema):
    registration_id: str = Field(
        description="この手続きの番号。以降の手順で X-Registration-Key ヘッダーに入れて送る"
    )
    next_step: Step = Field(
        description="次の手順（code → profile → contract → privacy → confirm → done）"
    )
    email: str = Field(description="認証コードを送ったメールアドレス")
    code_expires_at: dt.datetime | None = Field(
        default=None, description="いまの認証コードの有効期限（code の手順のとき）"
    )
    name: str = Field(default="", description="入力したお名前")
    has_password: bool = Field(default=False, description="パスワードを入力済みか（値は返さない）")
    number: str = Field(default="", description="入力した使用者番号（全角は半角に整えたもの）")
    kana: str = Field(default="", description="入力したカナ氏名（整えたもの）")
    relationship: RelationshipChoice | None = Field(
        default=None, description="選んだ申込者と契約者の関係"
    )
    active_from: dt.date | None = Field(
        default=None, description="登録が済んだとき: 使用量・料金を見られるようになる日"
    )
    active_from_text: str = Field(
        default="", description="その日の日本語（例: 2026年12月4日（金））"
    )


def state_out(flow: SignupFlow) -> StateOut:
    step = signup.next_step(flow)
    d = flow.data
    if step == "done":
        active_from = dt.date.fromisoformat(d["active_from"])
        return StateOut(
            registration_id=flow.key,
            next_step=Step("done"),
            email=flow.email,
            active_from=active_from,
            active_from_text=texts.japanese_date(active_from),
        )
    current = codes.current_code(flow.tenant, "signup", flow.email) if step == "code" else None
    return StateOut(
        registration_id=flow.key,
        next_step=Step(step),
        email=flow.email,
        code_expires_at=current.expires_at if current else None,
        name=d.get("name", ""),
        has_password=bool(d.get("password_hash")),
        number=d.get("number", ""),
        kana=d.get("kana", ""),
        relationship=d.get("relationship"),
    )


def load(request, key: str, step: str | None = None) -> SignupFlow:
    """The flow of ``key`` (410 once gone or idle 30 minutes), open at ``step`` (409 with
    the step to do otherwise), as the web's ``flow_step`` does."""
    try:
        flow = signup.load_flow(request.tenant, key or None)
    except signup.FlowExpired as exc:
        raise Problem("gone", str(texts.FLOW_EXPIRED)) from exc
    if step is not None and not signup.may_open(flow, step):
        ahead = signup.next_step(flow)
        raise Problem(
            "conflict",
            gettext("この手続きは、次に「%(step)s」の手順を行ってください。") % {"step": ahead},
            next_step=ahead,
        )
    return flow


def code_problem(exc: codes.CodeError) -> Problem:
    message = texts.code_refused(exc)
    return Problem("code_refused", message, errors=[{"field": "code", "message": message}])


def send_problem(exc: codes.SendTooSoon) -> Problem:
    return Problem("too_many_requests", texts.code_send_refused(exc), retry_at=exc.until)


def contract_problem(exc: contract_actions.ContractError, tenant, field="__all__") -> Problem:
    message = texts.contract_refused(exc, tenant)
    until = getattr(exc, "until", None)
    if until is not None:  # the step or the number is locked for a while
        return Problem("too_many_requests", message, retry_at=until)
    return Problem("contract_refused", message, errors=[{"field": field, "message": message}])


# --- Step 2: the address -----------------------------------------------------------------


class StartIn(Schema):
    email: str = Field(max_length=254, description="メールアドレス（全角でも受け付けます）")


@router.post(
    TOWN + "/registration",
    response={201: StateOut, **errors(404, 422, 429)},
    summary="会員登録を始める（認証コードをメールで送る）",
    description="案内の手順2です。答えの registration_id を以降の手順の X-Registration-Key "
    "ヘッダーで送ります。メールアドレスを直すときは、前の registration_id をヘッダーに"
    "付けてもう一度送ると、入力済みのお名前とパスワードが引き継がれます。"
    "すでに登録されたアドレスでも同じ答えです（届くメールが違います）。",
    operation_id="registration_start",
)
@sensitive_variables("key")
def start(request, payload: StartIn, slug: str = slug_param(), key: str = key_param()):
    form = EmailForm({"email": payload.email})
    if not form.is_valid():
        raise invalid(form)
    try:
        flow = actions.do_start_registration(
            request.tenant, form.cleaned_data["email"], source=source(request), previous_key=key
        )
    except codes.SendTooSoon as exc:
        raise send_problem(exc) from exc
    return Status(201, state_out(flow))


@router.get(
    TOWN + "/registration",
    response={200: StateOut, **errors(404, 410)},
    summary="登録の手続きの状態（次の手順と入力済みの内容）",
    description="パスワードは返しません。30分操作がないと 410 です（最初からやり直し）。",
    operation_id="registration_state",
)
@sensitive_variables("key")
def state(request, slug: str = slug_param(), key: str = key_param()):
    return state_out(load(request, key))


class TextOut(Schema):
    version_id: int = Field(description="版の番号")
    kind: str = Field(description="terms（利用規約）または privacy（個人情報の取り扱い）")
    label: str = Field(description="版の名前（例: 第1版）")
    text: str = Field(description="本文")


class TextsOut(Schema):
    texts: list[TextOut] = Field(description="同意していただく文書（いまの版）")
    relationships: list[ChoiceOut] = Field(description="申込者と契約者の関係の選択肢")


def text_out(version) -> TextOut:
    return TextOut(version_id=version.pk, kind=version.kind, label=version.label, text=version.text)


@router.get(
    TOWN + "/registration/texts",
    response={200: TextsOut, **errors(404)},
    summary="登録で同意する利用規約・個人情報の取り扱いと、関係の選択肢",
    operation_id="registration_texts",
)
def registration_texts(request, slug: str = slug_param()):
    return TextsOut(
        texts=[text_out(v) for v in versions.current_versions(request.tenant)],
        relationships=relationship_choices(),
    )


# --- Steps 3–4: the code -----------------------------------------------------------------


class CodeIn(Schema):
    code: str = Field(max_length=20, description="メールに書かれた6桁の認証コード")


@router.post(
    TOWN + "/registration/code",
    response={200: StateOut, **errors(404, 409, 410, 422)},
    summary="認証コードを確かめる",
    description="誤りは 422 code_refused（残りの回数、期限切れ、使えないコードを日本語で）。",
    operation_id="registration_code",
)
@sensitive_variables("key", "payload")
def verify(request, payload: CodeIn, slug: str = slug_param(), key: str = key_param()):
    flow = load(request, key, "code")
    if flow.verified_at:
        raise Problem("conflict", next_step=signup.next_step(flow))
    form = CodeForm({"code": payload.code})
    if not form.is_valid():
        raise invalid(form)
    try:
        signup.verify(flow, form.cleaned_data["code"])
    except codes.CodeError as exc:
        raise code_problem(exc) from exc
    return state_out(flow)


@router.post(
    TOWN + "/registration/code/resend",
    response={200: StateOut, **errors(404, 409, 410, 429)},
    summary="認証コードを送り直す",
    description="1分に1回、1時間に5回までです（429 と Retry-After）。前のコードは使えなくなります。",
    operation_id="registration_code_resend",
)
@sensitive_variables("key")
def resend(request, slug: str = slug_param(), key: str = key_param()):
    flow = load(request, key, "code")
    try:
        actions.do_resend_registration_code(flow, source=source(request))
    except codes.SendTooSoon as exc:
        raise send_problem(exc) from exc
    return state_out(flow)


# --- Steps 5–7: 会員情報①②③ -------------------------------------------------------------


class ProfileIn(Schema):
    name: str = Field(max_length=100, description="お名前")
    password1: str = Field(
        default="",
        max_length=1024,
        description="パスワード（入力済みのときは空で前のまま）",
    )
    password2: str = Field(default="", max_length=1024, description="パスワード（確認）")


@router.post(
    TOWN + "/registration/profile",
    response={200: StateOut, **errors(404, 409, 410, 422)},
    summary="会員情報①: お名前とパスワード（2回）",
    operation_id="registration_profile",
)
@sensitive_variables("key", "payload")
def profile(request, payload: ProfileIn, slug: str = slug_param(), key: str = key_param()):
    flow = load(request, key, "profile")
    form = ProfileForm(
        payload.dict(),
        tenant=flow.tenant,
        email=flow.email,
        has_password=bool(flow.data.get("password_hash")),
    )
    if not form.is_valid():
        raise invalid(form)
    signup.save_profile(flow, form.cleaned_data["name"], form.cleaned_data.get("password1") or None)
    return state_out(flow)


class ContractIn(Schema):
    number: str = Field(max_length=30, description="使用者番号（検針票のとおり。ハイフンは任意）")
    kana: str = Field(max_length=100, description="カナ氏名（検針票のとおり）")
    agree: bool = Field(description="利用規約に同意する（true が必要）")


@router.post(
    TOWN + "/registration/contract",
    response={200: StateOut, **errors(404, 409, 410, 422, 429)},
    summary="会員情報②: 使用者番号・カナ氏名と利用規約への同意",
    description="台帳と照合します。合わないときは 422 contract_refused、誤りが続いて確認を"
    "止めているときは 429（Retry-After 付き）です。",
    operation_id="registration_contract",
)
@sensitive_variables("key")
def contract(request, payload: ContractIn, slug: str = slug_param(), key: str = key_param()):
    flow = load(request, key, "contract")
    form = ContractForm({"number": payload.number, "kana": payload.kana, "agree": payload.agree})
    if not form.is_valid():
        raise invalid(form)
    try:
        signup.save_contract(flow, form.cleaned_data["number"], form.cleaned_data["kana"])
    except contract_actions.ContractError as exc:
        raise contract_problem(exc, request.tenant) from exc
    return state_out(flow)


class PrivacyIn(Schema):
    agree: bool = Field(description="個人情報の取り扱いに同意する（true が必要）")
    relationship: RelationshipChoice = Field(description="申込者と契約者の関係")


@router.post(
    TOWN + "/registration/privacy",
    response={200: StateOut, **errors(404, 409, 410, 422)},
    summary="会員情報③: 個人情報の取り扱いへの同意と、契約者との関係",
    description="ほかの方がすでに「本人」のご契約で「本人」を選ぶと 422 contract_refused です。",
    operation_id="registration_privacy",
)
@sensitive_variables("key")
def privacy(request, payload: PrivacyIn, slug: str = slug_param(), key: str = key_param()):
    flow = load(request, key, "privacy")
    form = PrivacyForm({"agree": payload.agree, "relationship": str(payload.relationship)})
    if not form.is_valid():
        raise invalid(form)
    try:
        signup.save_privacy(flow, form.cleaned_data["relationship"])
    except contract_actions.SelfTaken as exc:
        raise contract_problem(exc, request.tenant, "relationship") from exc
    return state_out(flow)


# --- Steps 8–9 ---------------------------------------------------------------------------


@router.post(
    TOWN + "/registration/confirm",
    response={200: StateOut, **errors(404, 409, 410, 422)},
    summary="登録する（確認の後）",
    description="会員を作り、ご契約を結びます。答えの active_from から使用量・料金を見られます。"
    "同じアドレスが先に登録されたときは 409 email_taken、その間にほかの方が「本人」に"
    "なったときは 422 contract_refused と next_step（privacy）です。二度送っても一度だけ登録します。",
    operation_id="registration_confirm",
)
@sensitive_variables("key")
def confirm(request, slug: str = slug_param(), key: str = key_param()):
    flow = load(request, key, "confirm")
    try:
        flow = actions.do_register_member(flow.key, request.tenant)
    except actions.EmailTaken as exc:
        raise Problem("email_taken", str(texts.EMAIL_TAKEN)) from exc
    except contract_actions.ContractError as exc:
        message = texts.contract_refused(exc, request.tenant)
        raise Problem("contract_refused", message, next_step="privacy") from exc
    except signup.FlowExpired as exc:
        raise Problem("gone", str(texts.FLOW_EXPIRED)) from exc
    return state_out(flow)

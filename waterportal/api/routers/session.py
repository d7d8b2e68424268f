"""Signing an app in and out: the web login's rules (``do_sign_in_with_password``),
then a bearer token for the device."""

import datetime as dt

from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables
from ninja import Router, Schema, Status
from pydantic import Field

from waterportal.accounts import actions, signin, texts
from waterportal.accounts.forms import LoginForm
from waterportal.api import auth
from waterportal.api.common import TOWN, slug_param, source
from waterportal.api.problems import Problem, errors, invalid
from waterportal.devices import actions as device_actions
from waterportal.devices.models import Platform
from waterportal.limits import ratelimit

router = Router(tags=["ログイン"])


class LoginIn(Schema):
    email: str = Field(max_length=254, description="登録したメールアドレス")
    password: str = Field(max_length=1024, description="パスワード")
    device_name: str = Field(
        default="",
        max_length=60,
        description="端末の名前（アカウントの端末一覧に表示。例: Pixel 8）",
    )
    platform: Platform = Field(default=Platform.OTHER, description="端末の種類")


class MemberOut(Schema):
    email: str = Field(description="メールアドレス")
    name: str = Field(description="お名前")
    notify_new_bill: bool = Field(description="新しい請求のお知らせを受け取る")
    notify_notices: bool = Field(description="重要なお知らせを受け取る")


class LoginOut(Schema):
    token: str = Field(
        description="この端末のトークン。Authorization: Bearer で送る（一度だけ表示）"
    )
    token_type: str = Field(default="Bearer", description="常に Bearer")
    expires_at: dt.datetime = Field(
        description="有効期限（使うたびに 90 日先へ延びる。ログインから 1 年まで）"
    )
    device_id: int = Field(description="この端末の番号（アカウントの端末一覧の番号）")
    member: MemberOut = Field(description="ログインした会員")


def member_out(member) -> MemberOut:
    return MemberOut(
        email=member.email,
        name=member.name,
        notify_new_bill=member.notify_new_bill,
        notify_notices=member.notify_notices,
    )


@router.post(
    TOWN + "/login",
    response={200: LoginOut, **errors(403, 404, 422, 429)},
    summary="ログイン（端末のトークンを受け取る）",
    description="Web のログインと同じ規則です。続けて失敗すると 429（Retry-After 付き）、"
    "職員が停止したアカウントは 403 account_stopped です。",
    operation_id="login",
)
@sensitive_variables("payload")
def login(request, payload: LoginIn, slug: str = slug_param()):
    form = LoginForm({"email": payload.email, "password": payload.password})
    if not form.is_valid():
        raise invalid(form)
    tenant, ip = request.tenant, source(request)
    try:
        member = actions.do_sign_in_with_password(
            tenant, form.cleaned_data["email"], form.cleaned_data["password"], source=ip
        )
    except ratelimit.Limited as exc:
        raise Problem("too_many_requests", texts.login_limited(exc), retry_at=exc.until) from exc
    except signin.AccountStopped as exc:
        raise Problem("account_stopped", texts.account_stopped(tenant)) from exc
    except actions.WrongPassword as exc:
        raise Problem(
            "invalid_input",
            str(texts.LOGIN_FAILED),
            errors=[{"field": "__all__", "message": str(texts.LOGIN_FAILED)}],
        ) from exc
    sign_in, token = device_actions.do_sign_in_app(
        member, name=payload.device_name or gettext("アプリ"), platform=payload.platform, source=ip
    )
    return LoginOut(
        token=token,
        expires_at=sign_in.expires_at,
        device_id=sign_in.pk,
        member=member_out(member),
    )


@router.post(
    TOWN + "/logout",
    auth=auth.member_before_texts,
    response={204: None, **errors(401, 404)},
    summary="ログアウト（この端末のトークンを無効にする）",
    operation_id="logout",
)
def logout(request, slug: str = slug_param()):
    device_actions.do_sign_out_app(request.app_sign_in, source=source(request))
    return Status(204, None)


@router.get(
    TOWN + "/me",
    auth=auth.member,
    response={200: MemberOut, **errors(401, 403, 404)},
    summary="ログインしている会員",
    operation_id="me",
)
def me(request, slug: str = slug_param()):
    return member_out(request.member)

"""The API's errors: one ``Problem`` exception, one JSON shape (RFC 9457), one list of
codes with their status and Japanese title, from which the OpenAPI document describes
every error an operation can answer.

Views raise ``Problem(code)`` (or ``Problem(code, detail=...)`` with the same Japanese
message the web page shows); ninja's own errors (a malformed body, a missing token) are
turned into the same shape by the handlers in ``install``.
"""

import datetime as dt
import logging
import math

from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from waterportal.lib.problems import problem_response

logger = logging.getLogger(__name__)
StrOrPromise = str | Promise

# code: (status, title). The title says what happened; a detail, when given, says what to
# do next (the web page's own message).
CODES: dict[str, tuple[int, StrOrPromise]] = {
    "invalid_request": (422, _("送信された内容の形式が正しくありません。")),
    "invalid_input": (422, _("入力に誤りがあります。")),
    "not_authenticated": (401, _("ログインしてください。")),
    "terms_not_accepted": (403, _("新しい利用規約・個人情報の取り扱いへの同意が必要です。")),
    "account_stopped": (403, _("このアカウントは停止されています。")),
    "forbidden": (403, _("この操作はできません。")),
    "not_found": (404, _("見つかりません。")),
    "town_not_found": (404, _("自治体が見つかりません。")),
    "conflict": (409, _("ほかの操作と重なりました。")),
    "inquiry_closed": (409, _("このお問い合わせは完了しています。")),
    "email_taken": (409, _("このメールアドレスは使えません。")),
    "code_refused": (422, _("認証コードを確認できませんでした。")),
    "contract_refused": (422, _("使用者番号を確認できませんでした。")),
    "too_many_requests": (429, _("しばらく時間をおいてから、もう一度お試しください。")),
    "gone": (410, _("この内容は終了しました。")),
}


class Problem(Exception):
    """An error answer of the API: ``code`` from ``CODES``; ``detail`` a Japanese message
    that says what to do; ``errors`` per field; ``retry_at`` sets Retry-After."""

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        status: int | None = None,
        errors: list[dict] | None = None,
        retry_at: dt.datetime | None = None,
        next_step: str | None = None,
    ):
        if code not in CODES:
            raise ValueError(f"unknown problem code: {code}")
        super().__init__(code)
        self.code = code
        self.status = status or CODES[code][0]
        self.detail = detail
        self.errors = errors
        self.retry_at = retry_at
        self.next_step = next_step


class FieldError(Schema):
    field: str = Field(description="項目の名前（フォームの項目名）。全体に関わる誤りは __all__")
    message: str = Field(description="日本語の説明（どうすればよいか）")


class ProblemOut(Schema):
    """エラーの内容（RFC 9457 Problem Details）。"""

    type: str = Field(description="エラーの種類を表す URI")
    title: str = Field(description="何が起きたか（日本語）")
    status: int = Field(description="HTTP のステータスコード")
    detail: str = Field(description="どうすればよいか（日本語）")
    code: str = Field(description="アプリが判断に使う機械可読のコード", examples=["invalid_input"])
    errors: list[FieldError] | None = Field(default=None, description="項目ごとの誤り")
    next_step: str | None = Field(
        default=None, description="会員登録で、次に行う手順（手順を飛ばしたときの 409）"
    )


def errors(*statuses: int) -> dict[int, type[ProblemOut]]:
    """The error part of an operation's ``response=``: ``{**errors(401, 404)}``."""
    return dict.fromkeys(statuses, ProblemOut)


def form_errors(form) -> list[dict]:
    return [
        {"field": name, "message": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]


def invalid(form) -> Problem:
    """A Django form's mistakes (the same form and messages as the web page's)."""
    first = next(iter(form_errors(form)), None)
    return Problem("invalid_input", first["message"] if first else "", errors=form_errors(form))


def retry_after(until: dt.datetime, now=None) -> str:
    seconds = (until - (now or timezone.now())).total_seconds()
    return str(max(1, math.ceil(seconds)))


def respond(problem: Problem):
    headers = {}
    if problem.retry_at is not None:
        headers["Retry-After"] = retry_after(problem.retry_at)
    if problem.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="waterportal"'
    title = gettext(str(CODES[problem.code][1]))
    return problem_response(
        problem.status,
        problem.code,
        title,
        problem.detail,
        errors=problem.errors,
        headers=headers,
        extra={"next_step": problem.next_step} if problem.next_step else None,
    )


def _location(error: dict) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
    return ".".join(loc[-1:]) or "__all__"


def install(api) -> None:
    """Give ``api`` the handlers that answer every error as a problem."""

    @api.exception_handler(Problem)
    def on_problem(request, exc: Problem):
        return respond(exc)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc: ValidationError):
        found = [
            {"field": _location(e), "message": gettext("この項目の形式が正しくありません。")}
            for e in exc.errors
        ]
        return respond(Problem("invalid_request", errors=found))

    @api.exception_handler(AuthenticationError)
    def on_authentication(request, exc):
        return respond(
            Problem(
                "not_authenticated",
                gettext("アプリでもう一度ログインしてください。"),
            )
        )

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return respond(Problem("not_found"))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        code = {
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            429: "too_many_requests",
        }.get(exc.status_code, "invalid_request")
        return respond(Problem(code, status=exc.status_code))


# The responses' descriptions in Japanese (ninja writes HTTP's English reason phrases).
DESCRIPTIONS = {
    "200": "成功",
    "201": "作成しました",
    "204": "成功（本文なし）",
    "304": "前回から変わっていません（If-None-Match の ETag と同じ）",
    "400": "リクエストが正しくありません",
    "401": "ログインが必要です（トークンがない、無効、または期限切れ）",
    "403": "この操作はできません（code に理由）",
    "404": "見つかりません（ほかの会員・ほかの自治体のもの、まだ有効でないものを含む）",
    "409": "ほかの操作と重なりました",
    "410": "終了しました",
    "422": "入力に誤りがあります（errors に項目ごとの説明）",
    "429": "回数の上限です。Retry-After の秒数の後にもう一度",
}


def document(schema: dict) -> dict:
    """The OpenAPI document with every error answered as ``application/problem+json``
    (ninja writes ``application/json`` for every response) and Japanese descriptions."""
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation and "400" not in responses:
                # A body that is not JSON at all (ninja's own check, before any schema).
                responses["400"] = {
                    "description": "",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ProblemOut"}}
                    },
                }
            for status, response in responses.items():
                response["description"] = DESCRIPTIONS.get(str(status), response["description"])
                content = response.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    response["content"] = {"application/problem+json": content["application/json"]}
    return schema

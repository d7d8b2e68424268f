"""The JSON API for the phone apps: ``/api/v1/``, one NinjaAPI whose routers each cover a
part of what a member does on the web, by the same actions and forms.

The document (OpenAPI 3.1) is generated from the operations and their schemas at
``/api/v1/openapi.json``; the interactive documentation (``/api/v1/docs``) only in
development.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404
from ninja import NinjaAPI

from waterportal.api import caching, problems
from waterportal.api.routers import (
    account,
    bills,
    devices,
    inquiries,
    notices,
    registration,
    session,
)


def development_only(view):
    """The interactive documentation in development only (checked at each request, not
    when the module is imported): production serves the document, not a console. Ninja
    hands this decorator the document's view too, which stays public."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.DEBUG and not request.path.endswith(".json"):
            raise Http404()
        return view(request, *args, **kwargs)

    return wrapper


class PortalAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return problems.document(super().get_openapi_schema(*args, **kwargs))


DESCRIPTION = """\
水道ポータルのアプリ（Android・iOS）向けの API です。会員が Web でできることを、同じ規則で行えます。

- 自治体はアドレスで指定します: `/api/v1/towns/{slug}/…`（`slug` は案内に印刷された `tenant=` の値）。
- ログイン（`POST /api/v1/towns/{slug}/login`）で端末ごとのトークンを受け取り、
  `Authorization: Bearer <トークン>` で送ります。トークンは 90 日使わないと失効し（使っていても 1 年で失効）、
  会員はアカウントの画面から端末ごとにログアウトできます。
- エラーはすべて RFC 9457 の形（`application/problem+json`）で、`code` が機械可読の理由、
  `title` と `detail` が日本語の説明です。429 には `Retry-After` が付きます。
- ほかの会員・ほかの自治体の契約、まだ有効になっていない契約は 404 です。
"""

api = PortalAPI(
    title="水道ポータル API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=development_only,
    # The answers kept in the cache are rendered by the same renderer (api.caching).
    renderer=caching.RENDERER,
)
problems.install(api)
api.add_router("", session.router)
api.add_router("", bills.router)
api.add_router("", notices.router)
api.add_router("", inquiries.router)
api.add_router("", registration.router)
api.add_router("", account.router)
api.add_router("", devices.router)

"""Problem details (RFC 9457): the one shape of every error the JSON API answers.

``{"type", "title", "status", "detail", "code"}`` and, for a form's mistakes, ``errors``
(one entry per field, each with its Japanese message). ``code`` is the machine-readable
reason an app switches on; ``title`` and ``detail`` are Japanese, for the resident.
Here at the bottom of the layers so that the tenant middleware can answer an unknown
town in the same shape as the API does everything else.
"""

from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"
# Each code's explanation lives in the OpenAPI document (api/problems.py); the type is a
# stable name under the API, not a page to fetch.
TYPE_BASE = "/api/v1/problems/"


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str = "",
    *,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict | None = None,
) -> JsonResponse:
    body: dict = {
        "type": TYPE_BASE + code,
        "title": str(title),
        "status": status,
        "detail": str(detail or title),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body |= extra or {}
    response = JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response

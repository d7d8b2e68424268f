"""Every answer of the member's reads matches the OpenAPI document: its status is listed,
its type and body are the documented ones (Schemathesis, on generated requests and on
the ones an app makes every day).

Not checked here: that every request the document allows is accepted. The bodies are
checked by the web's forms, whose rules (a subject of spaces only, a contract that is
not the member's) a JSON schema cannot say; those answer 422 in the forms' words, as
listed. Login and logout are left out: they change the token the run uses.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from waterportal.testing import make_bill, make_payment
from waterportal.testing.inquiries import make_inquiry
from waterportal.testing.notices import make_notice

CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
LEFT_OUT = {"login", "logout"}


@pytest.fixture
def data(clock, tenant, member, link, customer):
    make_bill(customer, "2026-10", basic_charge=1500, reading_status="認定")
    make_payment(make_bill(customer, "2026-08"))
    return {
        "slug": tenant.slug,
        "link_id": link.pk,
        "month": "2026-10",
        "notice_id": make_notice(tenant).pk,
        "inquiry_id": make_inquiry(tenant, member=member).pk,
    }


@pytest.fixture
def schema(data, signed_in_app):
    # As Django's test client does: the WSGI handler would otherwise close the database
    # connection that holds the test's transaction (PostgreSQL then refuses every query).
    # After the sign-in: the test client connects the signal again after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def operations(schema):
    """The member's reads (every GET with a token), on both databases the suite runs on;
    every operation, writes included, is checked against the served document by
    ``make api-check`` (scripts/api_check.py)."""
    for result in schema.get_all_operations():
        operation = result.ok()
        raw = operation.definition.raw
        if (
            operation.method.upper() == "GET"
            and raw.get("security")
            and (raw["operationId"] not in LEFT_OUT)
        ):
            yield operation


def test_the_everyday_answers_match_the_document(schema, data, signed_in_app):
    checked = 0
    for operation in operations(schema):
        wanted = [p.name for p in operation.path_parameters]
        case = operation.Case(
            path_parameters={name: data[name] for name in wanted},
            headers={"Authorization": f"Bearer {signed_in_app.token}"},
        )
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code < 300, (operation.label, response.text)
        checked += 1
    assert checked >= 10


def exercise(operation, data: dict, token: str, failures: list[str]) -> None:
    """Twenty generated requests to ``operation``, each failure added to ``failures``."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        # The town of the path is the member's, else every answer is a 404.
        case.path_parameters = dict(case.path_parameters or {}) | {"slug": data["slug"]}
        case.headers = dict(case.headers or {}) | {"Authorization": f"Bearer {token}"}
        try:
            case.call_and_validate(checks=CHECKS)
        except Exception as exc:  # every failure is listed at the end
            failures.append(f"{operation.label}: {exc}"[:800])

    run()


def test_generated_requests_get_documented_answers(schema, data, signed_in_app):
    failures: list[str] = []
    for operation in operations(schema):
        exercise(operation, data, signed_in_app.token, failures)
    assert not failures, "\n\n".join(failures[:10])

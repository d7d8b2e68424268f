"""The OpenAPI document describes every operation well enough for an app developer: a
Japanese summary, an explicit operationId, how it is secured and every error it can
answer, and a description for every field and parameter. A new operation that forgets
one of them fails here, with the list of what is missing."""

import json
import re

import pytest
from ninja.responses import NinjaJSONEncoder

from waterportal.api.main import api

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Operations anyone may call, without a token. Adding one here is a decision: its
# answers must hold nothing of a member's.
PUBLIC = {"login", "list_public_notices"}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict:
    """The document as served (JSON: the statuses as strings)."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.loads(json.dumps(schema, cls=NinjaJSONEncoder))


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", path, operation


def test_every_operation_has_a_japanese_summary_and_its_own_operation_id(document):
    missing: list[str] = []
    seen: dict[str, str] = {}
    for name, _, operation in operations(document):
        if not JAPANESE.search(operation.get("summary", "")):
            missing.append(f"{name}: no Japanese summary")
        operation_id = operation.get("operationId", "")
        # ninja makes one from the module path when none is given: not an interface.
        if not re.fullmatch(r"[a-z][a-z0-9_]*", operation_id) or "waterportal" in operation_id:
            missing.append(f"{name}: no explicit operation_id ({operation_id})")
        if operation_id in seen:
            missing.append(f"{name}: operation_id {operation_id} also on {seen[operation_id]}")
        seen[operation_id] = name
    assert not missing, "\n".join(missing)


def test_every_operation_is_secured_unless_public_and_then_lists_401(document):
    missing = []
    for name, _, operation in operations(document):
        public = operation.get("operationId") in PUBLIC
        secured = bool(operation.get("security"))
        if not public and not secured:
            missing.append(f"{name}: no security (or add its operationId to PUBLIC)")
        if public and secured:
            missing.append(f"{name}: in PUBLIC but secured")
        if secured and "401" not in operation["responses"]:
            missing.append(f"{name}: secured but 401 is not listed")
    assert not missing, "\n".join(missing)


def test_every_error_an_operation_can_answer_is_listed(document):
    """A town's path can be an unknown town (404); a body or a typed parameter can be
    malformed (422); every error is a problem document."""
    missing = []
    for name, path, operation in operations(document):
        responses = operation["responses"]
        if "{slug}" in path and "404" not in responses:
            missing.append(f"{name}: 404 (unknown town) is not listed")
        typed = [
            p
            for p in operation.get("parameters", [])
            if p["in"] in ("path", "query") and p["name"] != "slug"
        ]
        if (operation.get("requestBody") or typed) and "422" not in responses:
            missing.append(f"{name}: has input but 422 is not listed")
        for status, response in responses.items():
            if not JAPANESE.search(response.get("description", "")):
                missing.append(f"{name}: response {status} has no Japanese description")
            if status[0] in "45" and "application/problem+json" not in response.get("content", {}):
                missing.append(f"{name}: response {status} is not application/problem+json")
    assert not missing, "\n".join(missing)


def test_every_field_and_parameter_has_a_description(document):
    missing = []
    for schema_name, schema in document["components"]["schemas"].items():
        for prop, spec in schema.get("properties", {}).items():
            if not JAPANESE.search(spec.get("description", "")):
                missing.append(f"{schema_name}.{prop}")
    for name, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if not JAPANESE.search(parameter.get("description", "")):
                missing.append(f"{name}: parameter {parameter['name']}")
    assert not missing, "without a Japanese description:\n" + "\n".join(missing)


def test_the_lists_document_their_etag_and_304(document):
    for path in (
        "/api/v1/towns/{slug}/contracts",
        "/api/v1/towns/{slug}/contracts/{link_id}/bills",
    ):
        responses = document["paths"][path]["get"]["responses"]
        assert "304" in responses
        assert "ETag" in responses["200"]["headers"]


def test_the_files_are_documented_as_files(document):
    pdf = document["paths"]["/api/v1/towns/{slug}/contracts/{link_id}/bills/{month}/statement.pdf"]
    assert "application/pdf" in pdf["get"]["responses"]["200"]["content"]
    csv = document["paths"]["/api/v1/towns/{slug}/contracts/{link_id}/bills.csv"]
    assert "text/csv" in csv["get"]["responses"]["200"]["content"]

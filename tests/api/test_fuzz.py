"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

schemathesis's pytest loaders (`from_fixture`) do not run under pytest 9.2 (they set a node
attribute pytest removed), so each operation's hypothesis strategy is driven here directly.

Every operation of /api/v1/schema/ gets generated requests, anonymous and with an editor's token;
no answer may be a 5xx, and every answer must match the document (status codes, content types,
headers and bodies). Examples are few per operation so that the run stays well under a minute.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(directory, settings):
    from communs.wsgi import application

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis's WSGI client

    # The requests run through the WSGI application in this thread, on the test's transaction:
    # like Django's test client, keep the request signals from closing that connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,  # the same examples on every run, so that a failure can be replayed
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def fuzz(schema, mode, checks, headers=None):
    """Run every operation of the schema; return the failures, one line per operation."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            case.call_and_validate(checks=checks, headers=headers)

        try:
            run()
        except Exception as error:
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    return failures


def test_anonymous_requests_conform_and_never_fail(api_schema):
    failures = fuzz(api_schema, GenerationMode.POSITIVE, CHECKS)
    assert not failures, "\n\n".join(failures)


def test_editor_requests_conform_and_never_fail(api_schema, editor):
    # An editor may do everything the API offers (write, publish, archive): the widest surface.
    token = make_token(editor)
    failures = fuzz(api_schema, GenerationMode.POSITIVE, CHECKS, headers={"Authorization": f"Token {token}"})
    assert not failures, "\n\n".join(failures)


def test_invalid_requests_never_give_a_server_error(api_schema, editor):
    token = make_token(editor)
    checks = [not_a_server_error, content_type_conformance]
    failures = fuzz(api_schema, GenerationMode.NEGATIVE, checks, headers={"Authorization": f"Token {token}"})
    assert not failures, "\n\n".join(failures)

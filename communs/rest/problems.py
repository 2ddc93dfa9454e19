"""Errors of the API as RFC 9457 problem details (`application/problem+json`).

Every error the API returns has the same shape, so that a client needs one code path:
``{"type", "title", "status", "detail", "code"}``, plus ``errors`` (field → messages) when the
request was invalid.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from communs.rest.formats import PROBLEM_MEDIA_TYPE


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The entry has changed since you read it (If-Match does not match its current ETag)."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send the ETag you read as If-Match, so that a write never overwrites a change you have not seen."
    default_code = "precondition_required"


class Gone(exceptions.APIException):
    """An archived entry: the problem carries `archived_at` and `archived_reason`."""

    status_code = status.HTTP_410_GONE
    default_code = "archived"

    def __init__(self, archived_at, reason):
        when = f" on {archived_at:%Y-%m-%d}" if archived_at else ""
        super().__init__(f"This entry was archived{when}" + (f": {reason}" if reason else "."))
        self.extra = {"archived_at": archived_at.isoformat() if archived_at else None, "archived_reason": reason}


def django_validation_error_to_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    """A model's full_clean() error as a DRF one, with `__all__` under the usual non-field key."""
    detail = get_error_detail(error)
    if isinstance(detail, dict) and "__all__" in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
    return exceptions.ValidationError(detail)


def _first_code(detail):
    if isinstance(detail, dict):
        detail = next(iter(detail.values()), None)
    if isinstance(detail, list):
        detail = detail[0] if detail else None
    if isinstance(detail, (dict, list)):
        return _first_code(detail)
    return getattr(detail, "code", None)


def problem(status_code: int, detail: str, code: str | None = None, errors=None) -> dict:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "code": code or "error",
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django report it
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        names = ", ".join(str(name) for name in errors)
        response.data = problem(
            response.status_code,
            f"Invalid value for: {names}." if names else "Invalid request.",
            code=_first_code(exc.detail) or "invalid",
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = problem(
            response.status_code, str(detail), code=getattr(detail, "code", None) or getattr(exc, "default_code", None)
        )
        response.data.update(getattr(exc, "extra", {}))
    # Rendered as problem+json whatever format the client asked for (see ProblemMixin).
    response.content_type = PROBLEM_MEDIA_TYPE
    return response


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the problem type (`about:blank`: see `title`)."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, for a human."},
        "code": {
            "type": "string",
            "description": "A stable machine-readable code (`invalid`, `not_found`, `throttled` …).",
        },
        "errors": {
            "type": "object",
            "description": "For 400: the invalid parameters or fields, each with its messages.",
            "additionalProperties": True,
        },
        "archived_at": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "For 410: when the entry was archived.",
        },
        "archived_reason": {"type": "string", "description": "For 410: why the entry was archived."},
    },
    "required": ["type", "title", "status", "detail"],
}

_PROBLEM_STATUSES = {
    "400": "Invalid parameter or body (see `errors`).",
    "401": "Authentication required (`Authorization: Token …`).",
    "403": "The token's user lacks the permission.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "410": "Gone: the entry was archived (`archived_at`, `archived_reason`).",
    "406": "Not acceptable.",
    "409": "Conflict: the workflow does not allow this move now, or a concurrent write won.",
    "412": "Precondition failed (`If-Match`).",
    "415": "Unsupported media type (send JSON).",
    "428": "Precondition required: send the ETag you read as `If-Match`.",
    "429": "Too many requests (see `Retry-After`).",
}


def add_problem_responses(result, generator, request, public):
    """drf-spectacular hook: every operation documents its problem+json errors."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for code, description in _PROBLEM_STATUSES.items():
                if code in ("409", "412", "415", "428") and method in ("get", "head"):
                    continue
                if code == "410" and "{slug}" not in path:
                    continue  # only an entry's own URL can be gone
                if (
                    code == "428"
                    and method == "post"
                    and not any(parameter.get("name") == "If-Match" for parameter in operation.get("parameters", []))
                ):
                    continue  # creating an entry needs no If-Match
                responses.setdefault(code, {"description": description, "content": content})
            if method in ("get", "head") and operation.get("security"):
                # Reads are anonymous: a token is optional (it shows unpublished entries to curators).
                operation["security"] = [{}, *[item for item in operation["security"] if item]]
            headers = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
            responses["429"].setdefault("headers", headers)
    return result

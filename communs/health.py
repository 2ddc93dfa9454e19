"""The health check for load balancers and monitoring: `/sante/` (alias `/healthz`).

Cheap on purpose (a load balancer asks every few seconds): one `SELECT 1`, one cache write and
read. 200 `{"database": "ok", "cache": "ok"}` when both answer; 503 problem+json with
`Retry-After` and the same two keys when one does not. Never cached, by us or by a proxy.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from communs.outage import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    value = secrets.token_hex(8)
    cache.set("health-check", value, timeout=30)
    if cache.get("health-check") != value:
        raise RuntimeError("the cache did not return what was just written")


@never_cache
@require_safe
def health(request):
    checks = {}
    for name, check in (("database", _database), ("cache", _cache)):
        try:
            check()
        except Exception as error:  # any failure means "not ready", whatever its kind
            logger.warning("Health check: %s failing: %s", name, error)
            checks[name] = "error"
        else:
            checks[name] = "ok"
    if all(state == "ok" for state in checks.values()):
        return JsonResponse(checks)
    failing = ", ".join(name for name, state in checks.items() if state != "ok")
    body = {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": f"Not answering: {failing}.",
        "code": "service_unavailable",
        **checks,
    }
    response = JsonResponse(body, status=503, content_type="application/problem+json")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

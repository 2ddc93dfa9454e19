"""503 Service Unavailable while the database cannot be reached, instead of 500s.

A page answers the French 503 page, the API (`/api/…`) a problem+json 503; both say
`Retry-After`. Nothing here holds state: the next request opens a new connection (with
CONN_HEALTH_CHECKS a dead persistent one is replaced first), so the site comes back by itself
when the database does, without restarting the app servers.

Only a lost connection counts: an OperationalError on a connection that still works (a deadlock,
a cancelled statement) is a bug or a conflict, and stays a 500 that gets reported.
"""

import json
import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def is_connection_failure(exception) -> bool:
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    for connection in connections.all(initialized_only=True):
        # Never connected (refused, timed out), or connected and now dead.
        if connection.connection is None:
            return True
        try:
            if not connection.is_usable():
                return True
        except DatabaseError:
            return True
    return False


def service_unavailable(request, detail="The database is unreachable; try again shortly."):
    if request.path.startswith("/api/"):
        body = {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": detail,
            "code": "service_unavailable",
        }
        response = HttpResponse(json.dumps(body), status=503, content_type="application/problem+json")
    else:
        # Rendered without the request: no context processor may touch the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseOutageMiddleware:
    """Turns a lost database connection raised by a view into a 503 (see communs.views.server_error
    for one raised by another middleware, which Django has already turned into a 500 by then)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_connection_failure(exception):
            return None
        logger.warning("Database unreachable, answering 503 to %s: %s", request.path, exception)
        return service_unavailable(request)


def server_error(request):
    """handler500: a lost connection met outside a view (in a middleware, say, while saving the
    session) is still a 503; anything else is the plain 500 page."""
    exception = sys.exc_info()[1]
    if exception is not None and is_connection_failure(exception):
        return service_unavailable(request)
    informed = bool(settings.ADMINS) or settings.ERROR_ALERTS
    return HttpResponseServerError(render_to_string("500.html", {"team_informed": informed}))

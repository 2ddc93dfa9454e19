"""Conditional requests and errors on every endpoint: ETag, Last-Modified and 304 on reads, problem+json
for errors whatever the format asked.
"""

import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework.response import Response

from communs.rest.formats import ProblemJSONRenderer


def etag_of(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


class ProblemMixin:
    """Errors as problem+json whatever the format asked; ETag, Last-Modified and 304 on reads."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not isinstance(response, Response):
            return response
        if response.exception:
            response.accepted_renderer = ProblemJSONRenderer()
            response.accepted_media_type = ProblemJSONRenderer.media_type
            return response
        patch_vary_headers(response, ["Authorization"])
        if response.status_code in (200, 201) and response.data is not None:
            response.render()
            response["ETag"] = etag_of(response.content)
            last_modified = getattr(self, "_last_modified", None)
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified.timestamp())
            if request.method in ("GET", "HEAD") and response.status_code == 200:
                return get_conditional_response(
                    request._request,
                    etag=response["ETag"],
                    last_modified=int(last_modified.timestamp()) if last_modified else None,
                    response=response,
                )
        return response

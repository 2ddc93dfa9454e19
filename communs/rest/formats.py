"""The API's formats: problem+json for errors, CSV for lists and dumps, JSON arrays streamed.

settings.REST_FRAMEWORK names these classes; DRF imports them while rest_framework.views is itself
still loading, so nothing here may import DRF's views.
"""

import csv
import io
import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_MEDIA_TYPE
    format = "problem+json"


class JSONLDRenderer(JSONRenderer):
    """An entry's schema.org graph (communs.linked_data), for `Accept: application/ld+json`."""

    media_type = "application/ld+json"
    format = "jsonld"


# No entry is nested this deep; a deeper body is an attack on the recursion of whatever reads it.
MAX_JSON_DEPTH = 32


def json_depth(value) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON bodies, refused with a 400 when nested deeper than MAX_JSON_DEPTH (rather than a 500
    from a RecursionError in the decoder or in the validation that walks the body)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


# How an embedded entry is named in a flat cell: its identifier (a source: its document or URL).
IDENTIFIER_KEYS = ("slug", "code", "id", "document", "url")


def csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        key = next((key for key in IDENTIFIER_KEYS if value.get(key) not in (None, "")), None)
        return csv_cell(value[key]) if key else ""
    if isinstance(value, (list, tuple)):
        return "|".join(csv_cell(item) for item in value)
    text = str(value)
    # A cell starting like a formula would be run by a spreadsheet (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def csv_text(columns, rows, *, bom=True):
    """Yield a CSV file piece by piece: the header, then one line per row (a dict)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    # The byte order mark makes spreadsheets read UTF-8 (accents) rather than their local charset.
    yield ("\ufeff" if bom else "") + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(row.get(column)) for column in columns])
        yield buffer.getvalue()


class CSVRenderer(BaseRenderer):
    """Flat CSV: one line per entry; lists of identifiers are joined with `|`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""  # a 204 (DELETE …?format=csv) has no body to render
        renderer_context = renderer_context or {}
        view = renderer_context.get("view")
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        if view is not None and hasattr(view, "csv_columns"):
            columns = view.csv_columns()
        else:
            columns = list(rows[0]) if rows else []
        return "".join(csv_text(columns, rows)).encode("utf-8")


def json_array(rows):
    encoder = JSONRenderer.encoder_class
    yield b"["
    first = True
    for row in rows:
        yield (b"" if first else b",\n") + json.dumps(row, cls=encoder, ensure_ascii=False).encode("utf-8")
        first = False
    yield b"]\n"

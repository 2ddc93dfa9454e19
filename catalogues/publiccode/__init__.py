"""publiccode.yml: an offline parser and validator, and the mapping to and from the directory's fields.

    from catalogues.publiccode import parse, from_publiccode, to_publiccode, missing_for_publiccode

    result = parse(raw_bytes)            # Result(data, version, errors, warnings)
    if result.is_valid:
        fields = from_publiccode(result.data)
    text = to_publiccode(fields)         # after checking missing_for_publiccode(fields) == []

Pure Python: no model is touched here; the importers and the export view call these functions.
"""

from .export import MissingFields, missing_for_publiccode, to_publiccode
from .mapping import from_publiccode
from .offline import OFFLINE_UNCHECKED
from .parser import Issue, Result, parse
from .vocab import LATEST_VERSION, SUPPORTED_VERSIONS

__all__ = [
    "LATEST_VERSION",
    "OFFLINE_UNCHECKED",
    "SUPPORTED_VERSIONS",
    "Issue",
    "MissingFields",
    "Result",
    "from_publiccode",
    "missing_for_publiccode",
    "parse",
    "to_publiccode",
]

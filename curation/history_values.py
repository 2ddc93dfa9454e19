"""How one changed field reads on the public history: old → new, a word diff, or names added/removed."""

import difflib
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models

# Words kept either side of a change in a long text; the rest of an unchanged run reads "…".
CONTEXT_WORDS = 8
_TOKENS = re.compile(r"\s+|\S+")


def display(model_field, value):
    """A stored value as the detail page would say it: choice labels, Oui/Non, "—" for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.BooleanField):
        return "Oui" if value else "Non"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.DecimalField):
        from communs.templatetags.directory import euros

        return euros(value)
    return str(value)


def source_names(sources):
    """The sources (a JSON list) as the short strings a reader can compare."""
    names = set()
    for item in sources or []:
        if isinstance(item, dict):
            name = item.get("source") or item.get("document") or ""
            names.add(" ".join(part for part in (name, item.get("url", "")) if part))
    return names


def _words(text):
    return _TOKENS.findall(text or "")


def _shorten(tokens, keep_start, keep_end):
    """An unchanged run of tokens, cut to its first/last CONTEXT_WORDS words where asked."""
    limit = 2 * CONTEXT_WORDS  # words and the spaces between them are tokens
    if len(tokens) <= 2 * limit + 1:
        return "".join(tokens)
    # The spaces next to the change are kept: "mot" + deleted word must not read as one word.
    head = "".join(tokens[:limit]).rstrip() + " " if keep_start else ""
    tail = " " + "".join(tokens[-limit:]).lstrip() if keep_end else ""
    return f"{head}…{tail}"


def word_diff(old, new):
    """[(op, text)] with op "equal", "delete" or "insert", unchanged runs shortened around the changes."""
    a, b = _words(old), _words(new)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    segments = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            text = _shorten(a[i1:i2], keep_start=index > 0, keep_end=index < len(opcodes) - 1)
            segments.append(("equal", text))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


@dataclass
class FieldChange:
    """One public field of one version. `kind` tells the template how to show it:

    "value": old → new; "text": a word diff of a long text; "set": names added and removed;
    "hidden": the field changed while the entry was not published, so its values were never public.
    """

    label: str
    kind: str
    old: object = None
    new: object = None
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @cached_property
    def segments(self):
        # Computed when the template reads it: only the versions on the page pay for their diffs.
        return word_diff(self.old, self.new)


def field_change(model_field, old, new, public):
    label = str(model_field.verbose_name)
    if not public:
        return FieldChange(label, "hidden")
    if isinstance(model_field, models.TextField):
        return FieldChange(label, "text", old or "", new or "")
    return FieldChange(label, "value", display(model_field, old), display(model_field, new))


def set_change(label, old_names, new_names, public):
    if not public:
        return FieldChange(label, "hidden")
    return FieldChange(
        label,
        "set",
        added=sorted(new_names - old_names, key=str.lower),
        removed=sorted(old_names - new_names, key=str.lower),
    )

"""Text hygiene: the control characters no field keeps.

A control character other than tab and newline has no meaning in the directory's text, and some
formats cannot carry it at all: XML 1.0 (Atom, RSS, sitemaps) refuses U+0000–U+001F but tab, newline
and carriage return, and iCalendar's TEXT refuses them too. One such character in a summary took
every feed offline. So text is cleaned where it comes in (every model's `clean_fields()`, which the
admin, the public forms, the API and the importers all run), a migration cleaned what was stored,
and the outputs that cannot carry them clean again on the way out.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# C0 controls but tab (U+0009) and newline (U+000A), DEL, and the C1 controls (U+0080–U+009F).
# A carriage return is folded into a newline first (\r\n from a textarea, \r from old files).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ONE_SPACE = re.compile(r"\s*\n\s*")


def clean_text(value, one_line=False):
    """`value` without control characters; with `one_line`, each line break (and the spaces around it)
    becomes one space."""
    value = CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if one_line and "\n" in value:
        value = ONE_SPACE.sub(" ", value).strip()
    return value


def is_one_line(field):
    """A CharField (and its URL, e-mail, slug kinds) holds one line; a TextField holds several."""
    return isinstance(field, models.CharField)


class CleanText(models.Model):
    """Strips control characters from every text field before validation, and refuses a line break
    in a one-line field (a name, a URL: an `<input>` cannot send one, so it was crafted)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude or not isinstance(field, (models.CharField, models.TextField)):
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str):
                continue
            value = clean_text(value)
            if is_one_line(field) and "\n" in value:
                errors[field.name] = [
                    ValidationError(_("Ce champ tient sur une ligne : retour à la ligne refusé."), code="one_line")
                ]
            setattr(self, field.attname, value)
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.error_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

"""The interface's translation catalogues: extracted from the code, French filled in, English checked.

French is the source language: every string is written in French in the templates and the code,
and locale/en/LC_MESSAGES/django.po gives its English. locale/fr holds the French catalogue only
for its plural rule: untranslated, gettext would pick a plural form by English's rule (n == 1
singular), where French says "0 commun" as it says "1 commun"; each of its entries is its own msgid.

`manage.py translations` (`make messages`) re-extracts both catalogues and compiles them;
`manage.py translations --check` fails on any interface string that has no English, or a fuzzy one.
Both need GNU gettext (Debian's `gettext` package), as Django's makemessages does.

The compiled catalogues (django.mo) are committed with their sources, so that a fresh clone and a
server need no gettext to run; tests/i18n checks that they are what the .po files compile to.
"""

import ast
import shutil
import subprocess
import tempfile
from contextlib import chdir
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

SOURCE_LANGUAGE = "fr"
# What the extraction leaves out: what no visitor reads (tests, benchmarks, data, installed packages).
IGNORED = [".venv", "venv", "node_modules", "staticfiles", "tests", "benchmarks", "data", "docs", "var", "build"]
SOURCES = ["actors", "catalogues", "communs", "curation", "funding", "initiatives", "territories", "templates"]


def catalogue_path(language, root=None):
    return Path(root or settings.BASE_DIR, "locale", language, "LC_MESSAGES", "django.po")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)  # {index: text}; index 0 only without a plural
    flags: set = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def translated(self):
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def read_catalogue(path):
    """The entries of a .po file (the header left out): enough of the format for makemessages' output."""
    entries, entry, last, last_index = [], Entry(), None, 0

    def close():
        nonlocal entry
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry = Entry()

    for raw in Path(path).read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if not line:
            close()
            last = None
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if last == "msgstr":
                entry.msgstr[last_index] = entry.msgstr[last_index] + value
            else:
                setattr(entry, last, getattr(entry, last) + value)
        else:
            keyword, _space, value = line.partition(" ")
            value = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                last, last_index = "msgstr", int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[last_index] = value
            else:
                last = keyword
                setattr(entry, keyword, value)
    return [entry for entry in entries if entry.msgid and not entry.obsolete]


def extract(root, languages):
    """Run makemessages on the project at `root` for `languages` (its locale/ updated in place)."""
    with chdir(root), override_settings(LOCALE_PATHS=[Path(root, "locale")]):
        call_command(
            "makemessages",
            locale=list(languages),
            ignore_patterns=[*IGNORED, "*/migrations/*", "templates/admin/*"],
            add_location="file",
            no_obsolete=True,
            verbosity=0,
        )


def fill_source_catalogue(path):
    """The French catalogue: each msgid is its own translation (msgen), plurals included, none fuzzy."""
    subprocess.run(["msgen", "--no-wrap", "-o", str(path), str(path)], check=True)
    subprocess.run(["msgattrib", "--no-wrap", "--clear-fuzzy", "-o", str(path), str(path)], check=True)


def clear_header_fuzzy(path):
    """makemessages marks a new catalogue's header fuzzy; it is filled in, not a guess."""
    text = Path(path).read_text(encoding="utf-8")
    Path(path).write_text(text.replace('#, fuzzy\nmsgid ""\nmsgstr ""\n', 'msgid ""\nmsgstr ""\n', 1), encoding="utf-8")


def untranslated(entries):
    """(msgctxt, msgid) of the entries that have no usable translation (empty or fuzzy)."""
    return [entry.key for entry in entries if not entry.translated]


def missing_translations(root=None, language="en"):
    """The interface strings of the project at `root` (default: this one) that `language`'s
    committed catalogue does not translate: extracted afresh from a copy, so that a string added to
    a template or the code and never run through makemessages counts too."""
    root = Path(root or settings.BASE_DIR)
    committed = read_catalogue(catalogue_path(language, root))
    translated = {entry.key for entry in committed if entry.translated}
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        for name in SOURCES:
            shutil.copytree(root / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        (copy / "locale").mkdir()
        extract(copy, [language])
        extracted = read_catalogue(catalogue_path(language, copy))
        return [entry.key for entry in extracted if entry.key not in translated]

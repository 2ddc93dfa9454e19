from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from communs.translations import (
    SOURCE_LANGUAGE,
    catalogue_path,
    clear_header_fuzzy,
    extract,
    fill_source_catalogue,
    missing_translations,
    read_catalogue,
    untranslated,
)


class Command(BaseCommand):
    help = (
        "Extract the interface's strings into locale/*/LC_MESSAGES/django.po (French filled in from the "
        "source), then compile them; --check lists the strings without an English translation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="fail if a string has no translation; change nothing")

    def handle(self, *args, check=False, **options):
        languages = [code for code, _name in settings.LANGUAGES]
        if check:
            missing = missing_translations()
            for context, msgid in missing:
                self.stdout.write(f"untranslated: {msgid!r}" + (f" (context {context!r})" if context else ""))
            if missing:
                raise CommandError(f"{len(missing)} interface strings have no English translation: run 'make messages'")
            self.stdout.write("every interface string has its English translation")
            return
        # The French catalogue is made afresh: an old msgstr that makemessages would carry over to a
        # new, similar msgid (a fuzzy match) is never French's own text.
        catalogue_path(SOURCE_LANGUAGE).unlink(missing_ok=True)
        extract(settings.BASE_DIR, languages)
        fill_source_catalogue(catalogue_path(SOURCE_LANGUAGE))
        for code in languages:
            clear_header_fuzzy(catalogue_path(code))
        call_command("compilemessages", ignore=[".venv", "node_modules"], verbosity=0)
        for code in languages:
            if code != SOURCE_LANGUAGE:
                left = untranslated(read_catalogue(catalogue_path(code)))
                self.stdout.write(f"{code}: {len(left)} strings left to translate")

from django.apps import AppConfig


class CataloguesConfig(AppConfig):
    """The public catalogues the directory imports (SILL, publiccode.yml, DPG, organisations, another
    instance of the directory) and the publiccode.yml it exports; provenance and merge rules live here."""

    name = "catalogues"
    verbose_name = "Catalogues importés"

    def ready(self):
        # The API's English answers read the sources' English descriptions (communs.locale).
        from catalogues.descriptions import description_texts
        from communs.locale import register_translated_text

        register_translated_text(description_texts)

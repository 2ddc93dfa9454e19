from django.apps import AppConfig


class CataloguesConfig(AppConfig):
    """The public catalogues the directory imports (SILL, publiccode.yml, DPG, organisations, another
    instance of the directory) and the publiccode.yml it exports; provenance and merge rules live here."""

    name = "catalogues"
    verbose_name = "Catalogues importés"

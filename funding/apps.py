from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Financements"

    def ready(self):
        from funding import territory_sections  # noqa: F401 -- registers its section of the territory pages

from django.apps import AppConfig


class ActorsConfig(AppConfig):
    name = "actors"
    verbose_name = "Acteurs"

    def ready(self):
        from actors import territory_sections  # noqa: F401 -- registers its section of the territory pages

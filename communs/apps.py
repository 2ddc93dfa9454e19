from django.apps import AppConfig


class CommunsConfig(AppConfig):
    name = "communs"
    verbose_name = "Annuaire"

    def ready(self):
        # Registers the SQLite unaccent() and similarity() functions on every new connection.
        from communs import search  # noqa: F401

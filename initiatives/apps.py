from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Communs et financements"

    def ready(self):
        # Registers the SQLite unaccent() function on every new connection.
        from initiatives import search  # noqa: F401

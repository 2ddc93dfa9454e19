from django.apps import AppConfig


class CommunsConfig(AppConfig):
    name = "communs"
    verbose_name = "Annuaire"

    def ready(self):
        # Registers the SQLite unaccent() and similarity() functions on every new connection.
        from communs import cache, search  # noqa: F401

        # Every write to the directory's data moves the page cache's content version on.
        cache.watch_content_writes()

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommunsConfig(AppConfig):
    name = "communs"
    verbose_name = "Annuaire"

    def ready(self):
        # Registers the SQLite unaccent() and similarity() functions on every new connection.
        from communs import cache, checks, search, search_index  # noqa: F401

        search_index.connect()
        post_migrate.connect(_index_existing_entries, sender=self)
        # Every write to the directory's data moves the page cache's content version on.
        cache.watch_content_writes()


def _index_existing_entries(using, **kwargs):
    # A directory upgraded to the search documents (migration communs/0001) has entries but no
    # documents yet: write them once, so that search works right after `migrate`.
    from communs import search_index
    from communs.models import SearchDocument

    if not SearchDocument.objects.using(using).exists() and any(
        model._base_manager.using(using).exists() for model in search_index.searchable_models()
    ):
        search_index.rebuild()

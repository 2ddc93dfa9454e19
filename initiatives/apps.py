from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


def _ensure_categories(sender, **kwargs):
    from initiatives.vocabularies import ensure_categories

    ensure_categories()


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Communs"

    def ready(self):
        from taggit.models import Tag

        from communs import search_index
        from initiatives import territory_sections  # noqa: F401 -- registers the commons on territory pages and the map
        from initiatives.filters import FACET_WATCHED, facet_keys
        from initiatives.models import Initiative, ensure_tag_slug

        # The search documents carry what the list's facets count (communs.listing.count_facets).
        search_index.register_facet_keys(Initiative, facet_keys, FACET_WATCHED)
        pre_save.connect(ensure_tag_slug, sender=Tag, dispatch_uid="initiatives_ensure_tag_slug")
        post_migrate.connect(_ensure_categories, sender=self, dispatch_uid="initiatives_ensure_categories")

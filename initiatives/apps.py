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

        from initiatives import territory_sections  # noqa: F401 -- registers the commons on territory pages and the map
        from initiatives.models import ensure_tag_slug

        pre_save.connect(ensure_tag_slug, sender=Tag, dispatch_uid="initiatives_ensure_tag_slug")
        post_migrate.connect(_ensure_categories, sender=self, dispatch_uid="initiatives_ensure_categories")

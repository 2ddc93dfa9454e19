from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    # post_migrate is sent app by app in INSTALLED_APPS order; curation comes after
    # every app whose permissions the roles use, so those permissions exist by now.
    from curation.roles import sync_roles

    sync_roles(strict=False)


class CurationConfig(AppConfig):
    name = "curation"
    verbose_name = "Curation"

    def ready(self):
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="curation_sync_roles")

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.core.management.base import BaseCommand

from curation.roles import ROLES, sync_roles


class Command(BaseCommand):
    help = "Crée ou met à jour les groupes Curateur et Éditeur avec leurs permissions."

    def handle(self, *args, **options):
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
        sync_roles()
        for name, permissions in ROLES.items():
            self.stdout.write(f"{name} : {len(permissions)} permissions")

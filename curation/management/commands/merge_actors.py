"""`manage.py merge_actors KEPT OTHER [--dry-run]`: merge two entries that are one (curation/merge.py)."""

from django.core.management.base import BaseCommand

from actors.models import Actor
from curation.merge import MergeCommand


class Command(MergeCommand, BaseCommand):
    help = (
        "Fusionne la seconde fiche dans la première : implications, financements, sources et identifiants "
        "passent à la première, les noms de la seconde deviennent d'autres noms, son adresse redirige (301)."
    )
    model = Actor

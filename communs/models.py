"""Abstract bases shared by the curated models of every app."""

from django.db import models

from communs.validators import validate_sources


def sources_field():
    """Where each fact comes from: a list of {"document", "url", "note"}."""
    return models.JSONField(
        "sources", default=list, blank=True, validators=[validate_sources],
        help_text='Liste de sources : [{"document": "…", "url": "…", "note": "faits appuyés"}].',
    )


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication_status=Publishable.PublicationStatus.PUBLISHED)


class PublishableManager(models.Manager.from_queryset(PublishableQuerySet)):
    # Fixtures and imports refer to entries by slug, never by primary key.
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Publishable(models.Model):
    """An entry that curators review before the public sees it."""

    class PublicationStatus(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        IN_REVIEW = "in_review", "En relecture"
        PUBLISHED = "published", "Publié"
        ARCHIVED = "archived", "Archivé"

    publication_status = models.CharField(
        "statut de publication", max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT, db_index=True
    )
    sources = sources_field()
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True, db_index=True)

    objects = PublishableManager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publication_status__in=["draft", "in_review", "published", "archived"]),
                name="%(app_label)s_%(class)s_publication_status_valid",
            ),
        ]

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        return self.publication_status == self.PublicationStatus.PUBLISHED

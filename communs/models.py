"""Abstract bases shared by the curated models of every app."""

from django.conf import settings
from django.db import models

from communs.validators import validate_sources


def sources_field():
    """Where each fact comes from: a list of {"document", "url", "note"}."""
    return models.JSONField(
        "sources",
        default=list,
        blank=True,
        validators=[validate_sources],
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
        "statut de publication",
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    sources = sources_field()
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True, db_index=True)

    # Optimistic locking: every save bumps the counter (see save()), so an editor
    # (admin form, API If-Match) can tell that the entry changed since it was read.
    version = models.PositiveIntegerField("version", default=1, editable=False)
    # Who moved the entry through the review workflow last, and when
    # (curation/services.py is the only writer; the history keeps every step).
    status_changed_at = models.DateTimeField("statut modifié le", null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="statut modifié par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Last editorial review (publication or an explicit "relu"): the data-quality
    # page lists published entries not reviewed for a year.
    reviewed_at = models.DateTimeField("relu le", null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="relu par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    archived_reason = models.TextField("motif d'archivage", blank=True, editable=False)

    objects = PublishableManager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publication_status__in=["draft", "in_review", "published", "archived"]),
                name="%(app_label)s_%(class)s_publication_status_valid",
            ),
        ]

    def save(self, *args, **kwargs):
        # A plain counter rather than a timestamp: two saves within the same
        # microsecond still get distinct versions. Fixtures (raw saves) keep theirs.
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "version" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "version"]
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        return self.publication_status == self.PublicationStatus.PUBLISHED

"""The review queue of public suggestions (a new initiative, or a correction to one)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)


class Suggestion(models.Model):
    """What a visitor proposed without an account; curators accept or reject it.

    The submitter's contact stays here, never on the entry nor in its public history.
    """

    class Kind(models.TextChoices):
        NEW = "new", "Nouvelle initiative"
        CORRECTION = "correction", "Correction"

    class Status(models.TextChoices):
        PENDING = "pending", "À traiter"
        ACCEPTED = "accepted", "Acceptée"
        REJECTED = "rejected", "Refusée"

    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    # For a correction: the entry concerned; for an accepted proposal: the draft it became.
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        verbose_name="initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )

    # What was proposed. A correction fills only the fields it wants changed.
    name = models.CharField("nom", max_length=200, blank=True)
    acronym = models.CharField("sigle", max_length=50, blank=True)
    kind_of_initiative = models.CharField("type d'initiative", max_length=20, blank=True)
    summary = models.CharField("résumé", max_length=200, blank=True)
    website = models.URLField("site web", blank=True)
    repository_url = models.URLField("dépôt de code", blank=True)
    message = models.TextField("message", blank=True)

    # Private: shown to curators only, never published.
    submitter_name = models.CharField("nom de la personne", max_length=200, blank=True)
    submitter_email = models.EmailField("courriel de la personne", blank=True)

    created_at = models.DateTimeField("reçue le", auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField("traitée le", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="traitée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    curator_note = models.TextField("note de l'équipe", blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = "suggestion"
        verbose_name_plural = "suggestions"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["new", "correction"]), name="curation_suggestion_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "rejected"]), name="curation_suggestion_status_valid"
            ),
        ]

    def __str__(self):
        target = self.name or (self.initiative.name if self.initiative_id else "")
        return f"{self.get_kind_display()} : {target}" if target else self.get_kind_display()


from curation.tokens import ApiToken  # noqa: E402,F401  (a model of this app, kept in its own module)

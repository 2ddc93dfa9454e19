"""The review queue of public suggestions (a new initiative, or a correction to one)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SuggestionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Suggestion.Status.PENDING)


class Suggestion(models.Model):
    """What a visitor proposed without an account; curators accept or reject it.

    The submitter's contact stays here, never on the entry nor in its public history.
    """

    class Kind(models.TextChoices):
        NEW = "new", _("Nouvelle initiative")
        CORRECTION = "correction", _("Correction")

    class Status(models.TextChoices):
        PENDING = "pending", _("À traiter")
        ACCEPTED = "accepted", _("Acceptée")
        REJECTED = "rejected", _("Refusée")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    # For a correction: the entry concerned; for an accepted proposal: the draft it became.
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        verbose_name=_("initiative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestions",
    )

    # What was proposed. A correction fills only the fields it wants changed.
    name = models.CharField(_("nom"), max_length=200, blank=True)
    acronym = models.CharField(_("sigle"), max_length=50, blank=True)
    kind_of_initiative = models.CharField(_("type d'initiative"), max_length=20, blank=True)
    summary = models.CharField(_("résumé"), max_length=200, blank=True)
    website = models.URLField(_("site web"), blank=True)
    repository_url = models.URLField(_("dépôt de code"), blank=True)
    message = models.TextField(_("message"), blank=True)

    # Private: shown to curators only, never published.
    submitter_name = models.CharField(_("nom de la personne"), max_length=200, blank=True)
    submitter_email = models.EmailField(_("courriel de la personne"), blank=True)

    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traitée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    curator_note = models.TextField(_("note de l'équipe"), blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
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

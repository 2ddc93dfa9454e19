from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from communs.models import Publishable, markdown_field, rendered_markdown_field
from communs.validators import validate_siren, validate_siret, validate_wikidata_qid


class Actor(Publishable):
    """An organisation that carries, funds, uses or supports commons."""

    class Kind(models.TextChoices):
        STATE = "state", "Administration de l'État"
        AGENCY = "agency", "Agence ou opérateur public"
        LOCAL_AUTHORITY = "local_authority", "Collectivité territoriale"
        EU_INSTITUTION = "eu_institution", "Institution européenne"
        INTERNATIONAL = "international", "Organisation internationale"
        ASSOCIATION = "association", "Association"
        COMMUNITY = "community", "Communauté"
        COMPANY = "company", "Entreprise"
        FOUNDATION = "foundation", "Fondation"
        RESEARCH = "research", "Recherche et enseignement"
        OTHER = "other", "Autre"

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant", max_length=200, unique=True)
    acronym = models.CharField("sigle", max_length=50, blank=True)
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="organisation parente",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    description = markdown_field("description")
    description_html = rendered_markdown_field()
    website = models.URLField("site web", blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name="territoire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actors",
    )
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    wikidata_qid = models.CharField("Wikidata", max_length=20, blank=True, validators=[validate_wikidata_qid])

    # What search() matches (see Initiative.search_fields).
    search_fields = [("name", "A"), ("acronym", "A"), ("description", "C"), ("parent__name", "C")]

    markdown_fields = ("description",)
    # What the public history may show (curation/history.py): what the page and the anonymous API
    # show. Foreign keys (the parent, the territory) are left out: they would need their own names
    # and visibility; the page shows their current value.
    history_public_fields = (
        *("name", "slug", "acronym", "kind", "publication_status", "description", "website", "siren", "siret"),
        *("wikidata_qid", "sources"),
    )
    history = HistoricalRecords(excluded_fields=["description_html"])

    class Meta:
        verbose_name = "acteur"
        verbose_name_plural = "acteurs"
        ordering = ["name"]
        permissions = [("publish_actor", "Peut publier, archiver et renvoyer en brouillon un acteur")]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="actors_actor_not_own_parent"),
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=r"^[0-9]{9}$"), name="actors_actor_siren_format"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"), name="actors_actor_siret_format"
            ),
        ]

    # Meta cannot see the nested choices, so their constraint is added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        models.CheckConstraint(condition=Q(kind__in=Kind.values), name="actors_actor_kind_valid"),
    ]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self):
        return reverse("actors:detail", args=[self.slug])

    @property
    def display_name(self):
        return self.acronym or self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.siret and self.siren and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": "Le SIRET doit commencer par le SIREN de l'organisation."})
        # Walk up the parents: a cycle would make the hierarchy pages loop.
        seen, node = {self.pk}, self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "Cette organisation parente créerait une boucle."})
            seen.add(node.pk)
            node = node.parent

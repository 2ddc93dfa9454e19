from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communs.models import Publishable, markdown_field, rendered_markdown_field
from communs.validators import validate_siren, validate_siret, validate_wikidata_qid

# The id of a body in the service-public.fr annuaire (code.gouv.fr's `pso_id`): a lower-case UUID.
ANNUAIRE_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
ANNUAIRE_PAGE = "https://lannuaire.service-public.fr/"


def validate_annuaire_id(value):
    import re

    from django.core.exceptions import ValidationError

    if not re.fullmatch(ANNUAIRE_ID, value or ""):
        raise ValidationError(
            "L'identifiant de l'annuaire du service public est un UUID en minuscules (reçu « %(value)s »).",
            code="annuaire_id_format",
            params={"value": value},
        )


def validate_forge_accounts(value):
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Les comptes de forge sont une liste d'adresses.", code="forge_accounts_list")
    for item in value:
        URLValidator(schemes=["https"])(item)


class Actor(Publishable):
    """An organisation that carries, funds, uses or supports commons."""

    class Kind(models.TextChoices):
        STATE = "state", _("Administration de l'État")
        AGENCY = "agency", _("Agence ou opérateur public")
        LOCAL_AUTHORITY = "local_authority", _("Collectivité territoriale")
        EU_INSTITUTION = "eu_institution", _("Institution européenne")
        INTERNATIONAL = "international", _("Organisation internationale")
        ASSOCIATION = "association", _("Association")
        COMMUNITY = "community", _("Communauté")
        COMPANY = "company", _("Entreprise")
        FOUNDATION = "foundation", _("Fondation")
        RESEARCH = "research", _("Recherche et enseignement")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=200, unique=True)
    acronym = models.CharField(_("sigle"), max_length=50, blank=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("organisation parente"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    description = markdown_field(_("description"))
    description_html = rendered_markdown_field()
    website = models.URLField(_("site web"), blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actors",
    )
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    wikidata_qid = models.CharField("Wikidata", max_length=20, blank=True, validators=[validate_wikidata_qid])
    annuaire_id = models.CharField(
        "identifiant dans l'annuaire du service public",
        max_length=36,
        blank=True,
        validators=[validate_annuaire_id],
        help_text=_("L'UUID de l'organisme sur lannuaire.service-public.fr (le pso_id de code.gouv.fr)."),
    )
    # The organisation's accounts on code forges (GitHub, GitLab …): a short list that nothing else
    # points to, hence a list field rather than a model.
    forge_accounts = models.JSONField(
        "comptes sur des forges",
        default=list,
        blank=True,
        validators=[validate_forge_accounts],
        help_text=_("Adresses des organisations sur GitHub, GitLab ou une autre forge."),
    )
    # Other names the organisation goes by: the names of the entries merged into it, spellings the
    # sources use. Searched and matched by the importers like the name.
    aliases = models.TextField("autres noms", blank=True, help_text=_("Un nom par ligne."))

    # What search() matches (see Initiative.search_fields).
    search_fields = [("name", "A"), ("acronym", "A"), ("aliases", "A"), ("description", "C"), ("parent__name", "C")]

    markdown_fields = ("description",)
    # What the public history may show (curation/history.py): what the page and the anonymous API
    # show. Foreign keys (the parent, the territory) are left out: they would need their own names
    # and visibility; the page shows their current value.
    history_public_fields = (
        *("name", "slug", "acronym", "kind", "publication_status", "description", "website", "siren", "siret"),
        *("wikidata_qid", "annuaire_id", "forge_accounts", "aliases", "sources"),
    )
    history = HistoricalRecords(excluded_fields=["description_html"])

    class Meta:
        verbose_name = _("acteur")
        verbose_name_plural = _("acteurs")
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
            models.CheckConstraint(
                condition=Q(annuaire_id="") | Q(annuaire_id__regex=ANNUAIRE_ID), name="actors_actor_annuaire_id_format"
            ),
            # One legal entity, one actor: a SIREN or an annuaire id names one organisation only. A
            # SIRET names an establishment: two services of one body may each give theirs.
            models.UniqueConstraint(fields=["siren"], condition=~Q(siren=""), name="actors_actor_unique_siren"),
            models.UniqueConstraint(
                fields=["annuaire_id"], condition=~Q(annuaire_id=""), name="actors_actor_unique_annuaire_id"
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

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def website_domain(self):
        """The host of the website, without "www." ("https://www.ademe.fr/x" → "ademe.fr")."""
        from urllib.parse import urlsplit

        return (urlsplit(self.website).hostname or "").removeprefix("www.") if self.website else ""

    @property
    def insee_code(self):
        """The official code of the place a territorial body governs (its territory's code: INSEE code
        of a commune, of a département …): kept on the territory, not copied on the actor."""
        territory = self.territory if self.kind == self.Kind.LOCAL_AUTHORITY and self.territory_id else None
        # An EPCI's official code is its SIREN, shown as such.
        if territory is None or territory.kind == territory.Kind.EPCI:
            return ""
        return territory.official_code

    @property
    def annuaire_url(self):
        return f"{ANNUAIRE_PAGE}{self.annuaire_id}" if self.annuaire_id else ""

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.siret and self.siren and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": _("Le SIRET doit commencer par le SIREN de l'organisation.")})
        # Walk up the parents: a cycle would make the hierarchy pages loop.
        seen, node = {self.pk}, self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("Cette organisation parente créerait une boucle.")})
            seen.add(node.pk)
            node = node.parent

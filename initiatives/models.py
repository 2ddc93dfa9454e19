from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from communs.models import Publishable, sources_field
from communs.validators import normalize_spdx, validate_spdx_expression, validate_wikidata_qid


def _choices_constraint(field, choices, name, allow_blank=False):
    condition = Q(**{f"{field}__in": [value for value, _ in choices]})
    if allow_blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class InvolvementManager(models.Manager):
    def get_by_natural_key(self, initiative_slug, actor_slug, role):
        return self.get(initiative__slug=initiative_slug, actor__slug=actor_slug, role=role)


class CriterionManager(models.Manager):
    def get_by_natural_key(self, initiative_slug, criterion):
        return self.get(initiative__slug=initiative_slug, criterion=criterion)


class EditionManager(models.Manager):
    def get_by_natural_key(self, scheme_slug, label):
        return self.get(scheme__slug=scheme_slug, label=label)


class AwardManager(models.Manager):
    def get_by_natural_key(self, scheme_slug, label, initiative_slug):
        return self.get(edition__scheme__slug=scheme_slug, edition__label=label, initiative__slug=initiative_slug)


class Sector(models.Model):
    """A field of public action (mobility, geodata, health …)."""

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField("identifiant", max_length=100, unique=True)
    description = models.TextField("description", blank=True)

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "secteur"
        verbose_name_plural = "secteurs"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("initiatives:sector", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class TerritoryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Territory(models.Model):
    """A place with its official code; `code` is unique across kinds (``dep-29``, ``com-29019``)."""

    class Kind(models.TextChoices):
        WORLD = "world", "International"
        EUROPE = "europe", "Europe"
        COUNTRY = "country", "Pays"
        REGION = "region", "Région"
        DEPARTEMENT = "departement", "Département"
        EPCI = "epci", "Intercommunalité (EPCI)"
        COMMUNE = "commune", "Commune"
        OTHER = "other", "Autre groupement"

    # INSEE codes repeat across kinds (region 84 and département 84), so the
    # public identifier carries the kind as a prefix.
    code = models.SlugField("code", max_length=30, unique=True)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    name = models.CharField("nom", max_length=200)
    official_code = models.CharField(
        "code officiel", max_length=20, blank=True, help_text="Code INSEE (COG) ou SIREN pour un EPCI."
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="territoire parent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )

    objects = TerritoryManager()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=r"^[0-9]{9}$"), name="initiatives_territory_siren_format"
            ),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        _choices_constraint("kind", Kind.choices, "initiatives_territory_kind_valid"),
    ]

    def __str__(self):
        if self.official_code and self.kind in (self.Kind.DEPARTEMENT, self.Kind.COMMUNE):
            return f"{self.name} ({self.official_code})"
        return self.name

    def get_absolute_url(self):
        return reverse("initiatives:territory", args=[self.code])

    def natural_key(self):
        return (self.code,)


class Initiative(Publishable):
    """A digital commons or a programme that supports commons."""

    class Kind(models.TextChoices):
        SOFTWARE = "software", "Logiciel"
        DATA = "data", "Données"
        PLATFORM = "platform", "Plateforme ou service"
        CONTENT = "content", "Contenus et connaissances"
        STANDARD = "standard", "Standard ou référentiel"
        AI_MODEL = "ai_model", "Modèle d'IA"
        INFRASTRUCTURE = "infrastructure", "Infrastructure"
        PROGRAMME = "programme", "Programme de soutien"
        NETWORK = "network", "Réseau ou communauté"

    class DevelopmentStatus(models.TextChoices):
        CONCEPT = "concept", "Idée"
        DEVELOPMENT = "development", "En développement"
        BETA = "beta", "Bêta"
        STABLE = "stable", "En service"
        MATURE = "mature", "Mature"
        ARCHIVED = "archived", "Arrêté"

    class Scope(models.TextChoices):
        LOCAL = "local", "Local"
        REGIONAL = "regional", "Régional"
        NATIONAL = "national", "National"
        EUROPEAN = "european", "Européen"
        INTERNATIONAL = "international", "International"

    class Logic(models.TextChoices):
        """Why public actors engage (La Fabrique des Mobilités, 2024)."""

        FREE_SOFTWARE = "free_software", "Adopter et soutenir le logiciel libre"
        SOVEREIGNTY = "sovereignty", "Souveraineté numérique"
        PUBLIC_ACTION = "public_action", "Transformer l'action publique"
        RESILIENCE = "resilience", "Résilience des territoires et transition écologique"

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant", max_length=200, unique=True)
    acronym = models.CharField("sigle", max_length=50, blank=True)
    aliases = models.TextField("autres noms", blank=True, help_text="Un nom par ligne.")
    summary = models.CharField("résumé", max_length=200, blank=True)
    description = models.TextField("description", blank=True, help_text="Markdown ; le HTML est nettoyé à l'affichage.")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    development_status = models.CharField("état", max_length=20, choices=DevelopmentStatus.choices, blank=True)
    website = models.URLField("site web", blank=True)
    repository_url = models.URLField("dépôt de code", blank=True)
    documentation_url = models.URLField("documentation", blank=True)
    licence = models.CharField(
        "licence (SPDX)",
        max_length=200,
        blank=True,
        validators=[validate_spdx_expression],
        help_text="Expression SPDX : MIT, AGPL-3.0-or-later, MIT OR Apache-2.0, etalab-2.0 …",
    )
    sectors = models.ManyToManyField(Sector, verbose_name="secteurs", blank=True, related_name="initiatives")
    tags = TaggableManager("mots-clés", blank=True)
    territorial_scope = models.CharField("échelle", max_length=20, choices=Scope.choices, blank=True)
    territories = models.ManyToManyField(Territory, verbose_name="territoires", blank=True, related_name="initiatives")
    launch_year = models.PositiveSmallIntegerField("année de lancement", null=True, blank=True)
    logo_url = models.URLField("logo", blank=True)
    wikidata_qid = models.CharField("Wikidata", max_length=20, blank=True, validators=[validate_wikidata_qid])
    sill_id = models.PositiveIntegerField("identifiant SILL", null=True, blank=True)
    software_heritage_url = models.URLField("Software Heritage", blank=True)

    # How to get involved.
    contact_point = models.CharField("point de contact", max_length=300, blank=True)
    governance_url = models.URLField("gouvernance", blank=True)
    contributing_url = models.URLField("guide de contribution", blank=True)
    how_to_contribute = models.TextField("comment participer", blank=True)

    # The public-interest logics (several may apply).
    logic_free_software = models.BooleanField(Logic.FREE_SOFTWARE.label, default=False)
    logic_sovereignty = models.BooleanField(Logic.SOVEREIGNTY.label, default=False)
    logic_public_action = models.BooleanField(Logic.PUBLIC_ACTION.label, default=False)
    logic_resilience = models.BooleanField(Logic.RESILIENCE.label, default=False)

    # Sectors and territories are versioned with the entry; tags are not
    # (taggit's generic relation is not supported by simple-history).
    history = HistoricalRecords(m2m_fields=[sectors, territories])

    class Meta:
        verbose_name = "initiative"
        verbose_name_plural = "initiatives"
        ordering = ["name"]
        permissions = [("publish_initiative", "Peut publier, archiver et renvoyer en brouillon une initiative")]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(launch_year__isnull=True) | Q(launch_year__gte=1950, launch_year__lte=2100),
                name="initiatives_initiative_launch_year_range",
            ),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        _choices_constraint("kind", Kind.choices, "initiatives_initiative_kind_valid"),
        _choices_constraint(
            "development_status",
            DevelopmentStatus.choices,
            "initiatives_initiative_development_status_valid",
            allow_blank=True,
        ),
        _choices_constraint("territorial_scope", Scope.choices, "initiatives_initiative_scope_valid", allow_blank=True),
    ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("initiatives:detail", args=[self.slug])

    def clean(self):
        if self.licence:
            try:
                self.licence = normalize_spdx(self.licence)
            except ValidationError as error:
                raise ValidationError({"licence": error.messages}) from error

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def logics(self):
        """The codes of the public-interest logics that apply."""
        return [code for code in self.Logic.values if getattr(self, f"logic_{code}")]


class CriterionAssessment(models.Model):
    """One of the five commons criteria, as assessed for one initiative, with its evidence."""

    class Criterion(models.TextChoices):
        OPEN_LICENCE = "open_licence", "Licence ouverte"
        ACCESSIBLE_RESOURCE = "accessible_resource", "Ressource accessible"
        HETEROGENEOUS_COMMUNITY = "heterogeneous_community", "Communauté d'acteurs hétérogènes"
        SHARED_GOVERNANCE = "shared_governance", "Gouvernance partagée et documentée"
        CONTRIBUTION_RULES = "contribution_rules", "Règles de contribution documentées"

    class Status(models.TextChoices):
        MET = "met", "Rempli"
        PARTIAL = "partial", "En partie"
        NOT_MET = "not_met", "Non rempli"
        UNKNOWN = "unknown", "Non évalué"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.CharField("critère", max_length=30, choices=Criterion.choices)
    status = models.CharField("évaluation", max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    evidence_url = models.URLField("preuve (lien)", blank=True)
    note = models.TextField("commentaire", blank=True)

    objects = CriterionManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "critère du commun"
        verbose_name_plural = "critères du commun"
        ordering = ["initiative", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "criterion"], name="initiatives_criterion_unique"),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        _choices_constraint("criterion", Criterion.choices, "initiatives_criterion_criterion_valid"),
        _choices_constraint("status", Status.choices, "initiatives_criterion_status_valid"),
    ]

    def __str__(self):
        return f"{self.get_criterion_display()} : {self.get_status_display()}"

    def natural_key(self):
        return (*self.initiative.natural_key(), self.criterion)

    natural_key.dependencies = ["initiatives.initiative"]


class Involvement(models.Model):
    """One actor's role in one initiative; an actor with two roles has two rows."""

    class Role(models.TextChoices):
        CARRIER = "carrier", "Porteur"
        MAINTAINER = "maintainer", "Mainteneur"
        FUNDER = "funder", "Financeur"
        CONTRIBUTOR = "contributor", "Contributeur"
        USER = "user", "Utilisateur"
        INCUBATOR = "incubator", "Incubateur ou accompagnateur"
        GOVERNANCE_PARTNER = "governance_partner", "Partenaire de gouvernance"
        PROMOTER = "promoter", "Promoteur"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="involvements")
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="involvements")
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    since = models.PositiveSmallIntegerField("depuis (année)", null=True, blank=True)
    until = models.PositiveSmallIntegerField("jusqu'à (année)", null=True, blank=True)
    note = models.TextField("précision", blank=True)
    sources = sources_field()

    objects = InvolvementManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "implication"
        verbose_name_plural = "implications"
        ordering = ["initiative", "role", "actor"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "actor", "role"], name="initiatives_involvement_unique_role"),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=F("since")),
                name="initiatives_involvement_until_after_since",
            ),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        _choices_constraint("role", Role.choices, "initiatives_involvement_role_valid"),
    ]

    def __str__(self):
        return f"{self.actor} — {self.get_role_display()} — {self.initiative}"

    def natural_key(self):
        return (*self.initiative.natural_key(), *self.actor.natural_key(), self.role)

    natural_key.dependencies = ["initiatives.initiative", "actors.actor"]

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": "L'année de fin doit être postérieure ou égale à l'année de début."})


class FundingScheme(Publishable):
    """A programme through which an actor supports commons (call, fund, prize, incubation …)."""

    class Kind(models.TextChoices):
        CALL_FOR_PROJECTS = "call_for_projects", "Appel à projets"
        CALL_FOR_COMMONS = "call_for_commons", "Appel à communs"
        FUND = "fund", "Fonds"
        GRANT = "grant", "Subvention"
        PRIZE = "prize", "Prix ou défi"
        INCUBATION = "incubation", "Incubation ou accompagnement"
        IN_KIND = "in_kind", "Soutien en nature"

    class Status(models.TextChoices):
        OPEN = "open", "Ouvert"
        CLOSED = "closed", "Clos"
        RECURRING = "recurring", "Récurrent"
        PROPOSED = "proposed", "Proposé"

    class Beneficiary(models.TextChoices):
        ASSOCIATION = "association", "Associations"
        LOCAL_AUTHORITY = "local_authority", "Collectivités"
        COMPANY = "company", "Entreprises"
        PUBLIC_BODY = "public_body", "Organismes publics"
        INDIVIDUAL = "individual", "Particuliers"

    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant", max_length=200, unique=True)
    kind = models.CharField("type de soutien", max_length=30, choices=Kind.choices)
    status = models.CharField("état", max_length=20, choices=Status.choices, blank=True)
    summary = models.CharField("résumé", max_length=200, blank=True)
    description = models.TextField("description", blank=True)
    operators = models.ManyToManyField(
        "actors.Actor", verbose_name="opérateurs", blank=True, related_name="operated_schemes"
    )
    funders = models.ManyToManyField(
        "actors.Actor", verbose_name="financeurs", blank=True, related_name="funded_schemes"
    )
    eligible_association = models.BooleanField("éligible : associations", default=False)
    eligible_local_authority = models.BooleanField("éligible : collectivités", default=False)
    eligible_company = models.BooleanField("éligible : entreprises", default=False)
    eligible_public_body = models.BooleanField("éligible : organismes publics", default=False)
    eligible_individual = models.BooleanField("éligible : particuliers", default=False)
    competitive = models.BooleanField("sélectif", null=True, blank=True)
    amount_min = models.DecimalField("montant minimum (€)", max_digits=14, decimal_places=2, null=True, blank=True)
    amount_max = models.DecimalField("montant maximum (€)", max_digits=14, decimal_places=2, null=True, blank=True)
    total_budget = models.DecimalField("budget total (€)", max_digits=14, decimal_places=2, null=True, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name="secteurs", blank=True, related_name="funding_schemes")
    territory = models.ForeignKey(
        Territory,
        verbose_name="territoire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funding_schemes",
    )
    url = models.URLField("page officielle", blank=True)

    history = HistoricalRecords(m2m_fields=[operators, funders, sectors])

    class Meta:
        verbose_name = "dispositif de financement"
        verbose_name_plural = "dispositifs de financement"
        ordering = ["name"]
        permissions = [("publish_fundingscheme", "Peut publier, archiver et renvoyer en brouillon un dispositif")]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_min__gte=0),
                name="initiatives_fundingscheme_amount_min_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount_max__isnull=True) | Q(amount_max__gte=0),
                name="initiatives_fundingscheme_amount_max_positive",
            ),
            models.CheckConstraint(
                condition=Q(total_budget__isnull=True) | Q(total_budget__gte=0),
                name="initiatives_fundingscheme_total_budget_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_max__isnull=True) | Q(amount_max__gte=F("amount_min")),
                name="initiatives_fundingscheme_amount_range",
            ),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        _choices_constraint("kind", Kind.choices, "initiatives_fundingscheme_kind_valid"),
        _choices_constraint("status", Status.choices, "initiatives_fundingscheme_status_valid", allow_blank=True),
    ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("initiatives:scheme", args=[self.slug])

    @property
    def beneficiaries(self):
        return [code for code in self.Beneficiary.values if getattr(self, f"eligible_{code}")]

    def clean(self):
        errors = {}
        for field in ("amount_min", "amount_max", "total_budget"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = "Un montant ne peut pas être négatif."
        if self.amount_min is not None and self.amount_max is not None and self.amount_max < self.amount_min:
            errors["amount_max"] = "Le montant maximum doit être supérieur ou égal au montant minimum."
        if errors:
            raise ValidationError(errors)


class FundingEdition(models.Model):
    """One round of a scheme, with its figures."""

    scheme = models.ForeignKey(FundingScheme, on_delete=models.CASCADE, related_name="editions")
    label = models.CharField("édition", max_length=100, help_text="Par exemple « 2024 » ou « 2e édition ».")
    year = models.PositiveSmallIntegerField("année", null=True, blank=True)
    opens_on = models.DateField("ouverture", null=True, blank=True)
    closes_on = models.DateField("clôture", null=True, blank=True)
    budget = models.DecimalField("budget (€)", max_digits=14, decimal_places=2, null=True, blank=True)
    laureates_count = models.PositiveIntegerField("nombre de lauréats", null=True, blank=True)
    applicants_count = models.PositiveIntegerField("nombre de candidats", null=True, blank=True)
    applicants_count_is_minimum = models.BooleanField(
        "au moins ce nombre de candidats",
        default=False,
        help_text="Cochez quand la source dit « plus de N candidats ».",
    )
    url = models.URLField("page de l'édition", blank=True)
    note = models.TextField("précision", blank=True)
    sources = sources_field()

    objects = EditionManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "édition"
        verbose_name_plural = "éditions"
        ordering = ["scheme", "year", "label"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "label"], name="initiatives_fundingedition_unique_label"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="initiatives_fundingedition_budget_positive",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")),
                name="initiatives_fundingedition_closes_after_opens",
            ),
        ]

    def __str__(self):
        return f"{self.scheme} — {self.label}"

    def natural_key(self):
        return (*self.scheme.natural_key(), self.label)

    natural_key.dependencies = ["initiatives.fundingscheme"]

    def clean(self):
        errors = {}
        if self.budget is not None and self.budget < 0:
            errors["budget"] = "Un montant ne peut pas être négatif."
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = "La date de clôture doit être postérieure ou égale à la date d'ouverture."
        if errors:
            raise ValidationError(errors)


class Award(models.Model):
    """An initiative funded by one edition of a scheme."""

    edition = models.ForeignKey(FundingEdition, on_delete=models.CASCADE, related_name="awards")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="awards")
    amount = models.DecimalField("montant (€)", max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField("précision", blank=True)
    sources = sources_field()

    objects = AwardManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lauréat"
        verbose_name_plural = "lauréats"
        ordering = ["edition", "initiative"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "initiative"], name="initiatives_award_unique"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="initiatives_award_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.initiative} — {self.edition}"

    def natural_key(self):
        return (*self.edition.natural_key(), *self.initiative.natural_key())

    natural_key.dependencies = ["initiatives.fundingedition", "initiatives.initiative"]

    def clean(self):
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": "Un montant ne peut pas être négatif."})

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from communs.models import (
    Publishable,
    can_see_unpublished,
    choices_constraint,
    markdown_field,
    rendered_markdown_field,
    sources_field,
    visible_q,
)
from communs.text import CleanText
from communs.validators import (
    normalize_spdx,
    validate_no_script_url,
    validate_spdx_expression,
    validate_wikidata_qid,
)
from territories.models import Territory


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class InvolvementManager(models.Manager):
    def get_by_natural_key(self, initiative_slug, actor_slug, role):
        return self.get(initiative__slug=initiative_slug, actor__slug=actor_slug, role=role)


class CriterionManager(models.Manager):
    def get_by_natural_key(self, initiative_slug, criterion):
        return self.get(initiative__slug=initiative_slug, criterion=criterion)


class Sector(models.Model):
    """A field of public action (mobility, geodata, health …): *which field of public action* a
    commons serves. Aligned with the `intendedAudience.scope` vocabulary of publiccode.yml where the
    standard has the field (publiccode_scope), plus the directory's own (open data, geodata,
    citizen participation …) that the standard lacks."""

    class Scope(models.TextChoices):
        """publiccode.yml's scope list (catalogues/publiccode/vocab.py holds it for the parser)."""

        AGRICULTURE = "agriculture", _("Agriculture")
        CULTURE = "culture", _("Culture")
        DEFENCE = "defence", _("Défense")
        EDUCATION = "education", _("Éducation")
        EMERGENCY_SERVICES = "emergency-services", _("Secours et urgences")
        EMPLOYMENT = "employment", _("Emploi")
        ENERGY = "energy", _("Énergie")
        ENVIRONMENT = "environment", _("Environnement")
        FINANCE = "finance-and-economic-development", _("Finances et développement économique")
        FOREIGN_AFFAIRS = "foreign-affairs", _("Affaires étrangères")
        GOVERNMENT = "government", _("Administration publique")
        HEALTHCARE = "healthcare", _("Santé")
        INFRASTRUCTURES = "infrastructures", _("Infrastructures")
        JUSTICE = "justice", _("Justice")
        LOCAL_AUTHORITIES = "local-authorities", _("Collectivités territoriales")
        MANUFACTURING = "manufacturing", _("Industrie")
        RESEARCH = "research", _("Recherche")
        SCIENCE = "science-and-technology", _("Sciences et technologies")
        SECURITY = "security", _("Sécurité")
        SOCIETY = "society", _("Société")
        SPORT = "sport", _("Sport")
        TOURISM = "tourism", _("Tourisme")
        TRANSPORTATION = "transportation", _("Transports")
        WELFARE = "welfare", _("Solidarités et protection sociale")

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField("identifiant", max_length=100, unique=True)
    description = models.TextField("description", blank=True)
    publiccode_scope = models.CharField(
        "échelle publiccode.yml",
        max_length=40,
        choices=Scope.choices,
        blank=True,
        help_text=_("La valeur de intendedAudience.scope qui correspond à ce secteur, s'il y en a une."),
    )

    objects = SlugManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")
        ordering = ["name"]
        constraints = [
            # One sector per scope of the standard, so that a scope read in a file names one sector.
            models.UniqueConstraint(
                fields=["publiccode_scope"], condition=~Q(publiccode_scope=""), name="initiatives_sector_scope_unique"
            ),
        ]

    Meta.constraints = [
        *Meta.constraints,
        choices_constraint("publiccode_scope", Scope.choices, "initiatives_sector_scope_valid", allow_blank=True),
    ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("initiatives:sector", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class CategoryManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Category(models.Model):
    """*What it is for*: one of publiccode.yml's `categories` (the standard's controlled vocabulary),
    with its French label. The rows are the standard's list, written by a migration: curators read
    them, they neither add nor rename (the codes are the standard's and round-trip through the
    publiccode.yml export)."""

    # The standard's code is the key: links to a category read the same in every database, whatever
    # order the rows were written in (the demo snapshot holds the links, not the vocabulary).
    slug = models.SlugField("code publiccode.yml", max_length=60, primary_key=True)
    name = models.CharField("nom", max_length=100)

    objects = CategoryManager()

    class Meta:
        verbose_name = "catégorie"
        verbose_name_plural = "catégories"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("initiatives:list") + f"?category={self.slug}"

    def natural_key(self):
        return (self.slug,)


# The years a launch year may take (a database constraint); the list's filter offers these.
LAUNCH_YEAR_MIN, LAUNCH_YEAR_MAX = 1950, 2100


class Initiative(Publishable):
    """A digital commons or a programme that supports commons."""

    class Kind(models.TextChoices):
        SOFTWARE = "software", _("Logiciel")
        DATA = "data", _("Données")
        PLATFORM = "platform", _("Plateforme ou service")
        CONTENT = "content", _("Contenus et connaissances")
        STANDARD = "standard", _("Standard ou référentiel")
        AI_MODEL = "ai_model", _("Modèle d'IA")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        PROGRAMME = "programme", _("Programme de soutien")
        NETWORK = "network", _("Réseau ou communauté")

    class DevelopmentStatus(models.TextChoices):
        CONCEPT = "concept", _("Idée")
        DEVELOPMENT = "development", _("En développement")
        BETA = "beta", _("Bêta")
        STABLE = "stable", _("En service")
        MATURE = "mature", _("Mature")
        ARCHIVED = "archived", _("Arrêté")

    class Scope(models.TextChoices):
        LOCAL = "local", _("Local")
        REGIONAL = "regional", _("Régional")
        NATIONAL = "national", _("National")
        EUROPEAN = "european", _("Européen")
        INTERNATIONAL = "international", _("International")

    class Logic(models.TextChoices):
        """Why public actors engage (La Fabrique des Mobilités, 2024)."""

        FREE_SOFTWARE = "free_software", _("Adopter et soutenir le logiciel libre")
        SOVEREIGNTY = "sovereignty", _("Souveraineté numérique")
        PUBLIC_ACTION = "public_action", _("Transformer l'action publique")
        RESILIENCE = "resilience", _("Résilience des territoires et transition écologique")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=200, unique=True)
    acronym = models.CharField(_("sigle"), max_length=50, blank=True)
    aliases = models.TextField(_("autres noms"), blank=True, help_text=_("Un nom par ligne."))
    summary = models.CharField(_("résumé"), max_length=200, blank=True)
    description = markdown_field(_("description"), help_text=_("Markdown ; le HTML est nettoyé à l'affichage."))
    description_html = rendered_markdown_field()
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    development_status = models.CharField(_("état"), max_length=20, choices=DevelopmentStatus.choices, blank=True)
    website = models.URLField(_("site web"), blank=True)
    repository_url = models.URLField(_("dépôt de code"), blank=True)
    documentation_url = models.URLField(_("documentation"), blank=True)
    licence = models.CharField(
        _("licence (SPDX)"),
        max_length=200,
        blank=True,
        validators=[validate_spdx_expression],
        help_text=_("Expression SPDX : MIT, AGPL-3.0-or-later, MIT OR Apache-2.0, etalab-2.0 …"),
    )
    sectors = models.ManyToManyField(Sector, verbose_name="secteurs", blank=True, related_name="initiatives")
    categories = models.ManyToManyField(Category, verbose_name="catégories", blank=True, related_name="initiatives")
    tags = TaggableManager("mots-clés", blank=True)
    territorial_scope = models.CharField("échelle", max_length=20, choices=Scope.choices, blank=True)
    territories = models.ManyToManyField(Territory, verbose_name="territoires", blank=True, related_name="initiatives")
    launch_year = models.PositiveSmallIntegerField("année de lancement", null=True, blank=True)
    logo_url = models.URLField("logo", blank=True)
    wikidata_qid = models.CharField("Wikidata", max_length=20, blank=True, validators=[validate_wikidata_qid])
    sill_id = models.PositiveIntegerField(_("identifiant SILL"), null=True, blank=True)
    software_heritage_url = models.URLField("Software Heritage", blank=True)

    # How to get involved.
    contact_point = models.CharField(_("point de contact"), max_length=300, blank=True)
    governance_url = models.URLField(_("gouvernance"), blank=True)
    contributing_url = models.URLField(_("guide de contribution"), blank=True)
    how_to_contribute = markdown_field(_("comment participer"))
    how_to_contribute_html = rendered_markdown_field()

    # The public-interest logics (several may apply).
    logic_free_software = models.BooleanField(Logic.FREE_SOFTWARE.label, default=False)
    logic_sovereignty = models.BooleanField(Logic.SOVEREIGNTY.label, default=False)
    logic_public_action = models.BooleanField(Logic.PUBLIC_ACTION.label, default=False)
    logic_resilience = models.BooleanField(Logic.RESILIENCE.label, default=False)

    # What search() matches, with the weight of each field (A ranks first). The own fields are
    # also those of the PostgreSQL generated search columns (migrations 0004 and 0005).
    # What the public knows of an entry, in the order every interface lists it: the API's
    # representation and its CSV export, the API's writes, the admin's file import and export,
    # another instance's harvest (initiatives/serializers.py, curation/resources.py,
    # catalogues/harvest.py). Declared once here; each reads it and adds what is its own (links,
    # actors, criteria, the version). `aliases` and `logics` are lists in the API; the file import
    # has one column per logic. tests/test_field_lists.py holds them to it.
    public_fields = (
        "slug",
        "name",
        "acronym",
        "aliases",
        "summary",
        "description",
        "kind",
        "development_status",
        "publication_status",
        "website",
        "repository_url",
        "documentation_url",
        "licence",
        "sectors",
        "categories",
        "tags",
        "territorial_scope",
        "territories",
        "launch_year",
        "logo_url",
        "wikidata_qid",
        "sill_id",
        "software_heritage_url",
        "contact_point",
        "governance_url",
        "contributing_url",
        "how_to_contribute",
        "logics",
    )
    # Of those, the ones only the editorial workflow sets (never an API write or a harvest).
    workflow_fields = ("publication_status",)
    # What the public history may show (curation/history.py): the public fields as versioned,
    # tags left out (simple-history does not version them), and the sources cited.
    history_public_fields = (
        *(name for name in public_fields if name not in ("tags", "logics")),
        *(f"logic_{code}" for code in Logic.values),
        "sources",
    )

    search_fields = [
        ("name", "A"),
        ("acronym", "A"),
        ("aliases", "A"),
        ("summary", "B"),
        ("tags__name", "B"),
        ("sectors__name", "B"),
        ("involvements__actor__name", "B"),
        ("involvements__actor__acronym", "B"),
        ("description", "C"),
    ]

    # Sectors and territories are versioned with the entry; tags are not
    # (taggit's generic relation is not supported by simple-history).
    markdown_fields = ("description", "how_to_contribute")
    history = HistoricalRecords(
        m2m_fields=[sectors, categories, territories], excluded_fields=["description_html", "how_to_contribute_html"]
    )

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["name"]
        permissions = [("publish_initiative", "Peut publier, archiver et renvoyer en brouillon une initiative")]
        indexes = [
            # The public list's order: its first page read from the index, not sorted at each request.
            models.Index(fields=["publication_status", "name", "id"], name="initiatives_published_by_name"),
            # The total of a list by kind (the API's `?kind=software`) counted from the index alone:
            # at 100,000 entries, reading the table took 100 ms, the index 2 ms.
            models.Index(fields=["publication_status", "kind"], name="initiatives_published_by_kind"),
        ]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(launch_year__isnull=True)
                | Q(launch_year__gte=LAUNCH_YEAR_MIN, launch_year__lte=LAUNCH_YEAR_MAX),
                name="initiatives_initiative_launch_year_range",
            ),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        choices_constraint("kind", Kind.choices, "initiatives_initiative_kind_valid"),
        choices_constraint(
            "development_status",
            DevelopmentStatus.choices,
            "initiatives_initiative_development_status_valid",
            allow_blank=True,
        ),
        choices_constraint("territorial_scope", Scope.choices, "initiatives_initiative_scope_valid", allow_blank=True),
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
        # In clean() rather than the field's validators: the field's migrations stay as they are.
        try:
            validate_no_script_url(self.contact_point)
        except ValidationError as error:
            raise ValidationError({"contact_point": error.messages}) from error

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def logics(self):
        """The codes of the public-interest logics that apply."""
        return [code for code in self.Logic.values if getattr(self, f"logic_{code}")]

    def standing_derivations(self, derivations=None):
        """The derived values that stand (not rejected by a curator). Reads `derivations.all()`: a list
        prefetches "derivations" with their source (or passes them, prefetched into a plain list)."""
        rows = self.derivations.all() if derivations is None else derivations
        return [row for row in rows if row.status != Derivation.Status.REJECTED]

    def ways_to_take_part(self, derivations=None):
        """How to take part, as actions with their addresses: what a curator entered first, then what
        the sources say (catalogues/derive.py), each address once."""
        ways, seen = [], set()

        def add(action, label, url, derived, source=None):
            if url and url not in seen:
                seen.add(url)
                ways.append({"action": action, "label": label, "url": url, "derived": derived, "source": source})

        add(Derivation.Action.CONTRIBUTE, Derivation.Action.CONTRIBUTE.label, self.contributing_url, False)
        order = {action: index for index, action in enumerate(Derivation.Action.values)}
        participation = [
            row for row in self.standing_derivations(derivations) if row.fact == Derivation.Fact.PARTICIPATION
        ]
        for row in sorted(participation, key=lambda row: (order.get(row.value.partition(":")[0], 99), row.value)):
            action, _, actor_slug = row.value.partition(":")
            url = row.url
            if not url and action == Derivation.Action.CONTACT_MAINTAINER and actor_slug:
                url = reverse("actors:detail", args=[actor_slug])
            add(action, _way_label(action, row.label), url, row.is_derived, row.source if row.source_id else None)
        return ways

    @property
    def criteria_summary(self):
        """How the entry stands on the grid of the commons label (/label/): criteria met out of all,
        those of them backed by evidence, and those assessed at all (a criterion not yet assessed is
        not a failed one). Reads `criteria.all()`: a list prefetches "criteria" (one query in all)."""
        return self.summarise_criteria(self.criteria.all())

    @staticmethod
    def summarise_criteria(criteria):
        """criteria_summary of these assessments (a list's prefetched rows)."""
        met = [criterion for criterion in criteria if criterion.status == CriterionAssessment.Status.MET]
        return {
            "met": len(met),
            "total": len(CriterionAssessment.Criterion),
            "with_evidence": sum(1 for criterion in met if criterion.evidence_url),
            "assessed": sum(1 for criterion in criteria if criterion.status != CriterionAssessment.Status.UNKNOWN),
        }


class CriterionAssessment(CleanText):
    """One of the five commons criteria, as assessed for one initiative, with its evidence."""

    class Criterion(models.TextChoices):
        OPEN_LICENCE = "open_licence", _("Licence ouverte")
        ACCESSIBLE_RESOURCE = "accessible_resource", _("Ressource accessible")
        HETEROGENEOUS_COMMUNITY = "heterogeneous_community", _("Communauté d'acteurs hétérogènes")
        SHARED_GOVERNANCE = "shared_governance", _("Gouvernance partagée et documentée")
        CONTRIBUTION_RULES = "contribution_rules", _("Règles de contribution documentées")

    class Status(models.TextChoices):
        MET = "met", _("Rempli")
        PARTIAL = "partial", _("En partie")
        NOT_MET = "not_met", _("Non rempli")
        UNKNOWN = "unknown", _("Non évalué")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.CharField(_("critère"), max_length=30, choices=Criterion.choices)
    status = models.CharField(_("évaluation"), max_length=10, choices=Status.choices, default=Status.UNKNOWN)
    evidence_url = models.URLField(_("preuve (lien)"), blank=True)
    note = models.TextField(_("commentaire"), blank=True)

    objects = CriterionManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("critère du commun")
        verbose_name_plural = _("critères du commun")
        ordering = ["initiative", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "criterion"], name="initiatives_criterion_unique"),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        choices_constraint("criterion", Criterion.choices, "initiatives_criterion_criterion_valid"),
        choices_constraint("status", Status.choices, "initiatives_criterion_status_valid"),
    ]

    def __str__(self):
        return f"{self.get_criterion_display()} : {self.get_status_display()}"

    def natural_key(self):
        return (*self.initiative.natural_key(), self.criterion)

    natural_key.dependencies = ["initiatives.initiative"]


class Involvement(CleanText):
    """One actor's role in one initiative; an actor with two roles has two rows."""

    class Role(models.TextChoices):
        CARRIER = "carrier", _("Porteur")
        MAINTAINER = "maintainer", _("Mainteneur")
        FUNDER = "funder", _("Financeur")
        CONTRIBUTOR = "contributor", _("Contributeur")
        USER = "user", _("Utilisateur")
        INCUBATOR = "incubator", _("Incubateur ou accompagnateur")
        GOVERNANCE_PARTNER = "governance_partner", _("Partenaire de gouvernance")
        PROMOTER = "promoter", _("Promoteur")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="involvements")
    actor = models.ForeignKey("actors.Actor", on_delete=models.CASCADE, related_name="involvements")
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)
    since = models.PositiveSmallIntegerField(_("depuis (année)"), null=True, blank=True)
    until = models.PositiveSmallIntegerField(_("jusqu'à (année)"), null=True, blank=True)
    note = models.TextField(_("précision"), blank=True)
    sources = sources_field()
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True, db_index=True)  # API: updated_since

    objects = InvolvementManager()
    # What the public history may show of it (curation/history.py).
    history_public_fields = ("role", "since", "until", "note")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("implication")
        verbose_name_plural = _("implications")
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
        choices_constraint("role", Role.choices, "initiatives_involvement_role_valid"),
    ]

    def __str__(self):
        return f"{self.actor} — {self.get_role_display()} — {self.initiative}"

    def natural_key(self):
        return (*self.initiative.natural_key(), *self.actor.natural_key(), self.role)

    natural_key.dependencies = ["initiatives.initiative", "actors.actor"]

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": _("L'année de fin doit être postérieure ou égale à l'année de début.")})


class DeploymentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A use is shown where its commons, its organisation (when known) and the use itself are
        visible: the one visibility rule (communs.models) on each of the three."""
        from actors.models import Actor

        actor_visible = visible_q(Actor, user, prefix="actor__")
        # Not a Publishable (no page, slug or workflow of its own), but the same rule on its status.
        own = (
            Q()
            if can_see_unpublished(user, Deployment)
            else Q(publication_status=Publishable.PublicationStatus.PUBLISHED)
        )
        return self.filter(
            own,
            visible_q(Initiative, user, prefix="initiative__"),
            Q(actor__isnull=True) | actor_visible if actor_visible else Q(),
        )

    def published(self):
        return self.visible_to(None)


class Deployment(CleanText):
    """One use of a commons: an organisation runs it (an instance at an address, or an install the
    source does not locate), somewhere, since some date, as a source says.

    A hosted service of a commons (an académie's PeerTube, a university's GitLab) is a deployment of
    that commons, not a commons of its own (catalogues/deployments.py names the rule). `since` is as
    precise as the source: "2019", "2020-10" or "2021-03-15".
    """

    PublicationStatus = Publishable.PublicationStatus

    initiative = models.ForeignKey(
        Initiative, verbose_name="commun utilisé", on_delete=models.CASCADE, related_name="deployments"
    )
    actor = models.ForeignKey(
        "actors.Actor",
        verbose_name="organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
        help_text=_("L'organisation qui le met en œuvre, si la source la nomme."),
    )
    name = models.CharField("nom du service", max_length=200, blank=True)
    url = models.URLField("adresse de l'instance", max_length=500, blank=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name="territoire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
    )
    since = models.CharField("depuis", max_length=10, blank=True, help_text=_("AAAA, AAAA-MM ou AAAA-MM-JJ."))
    # What the source says of the service in a sentence or two: bounded, a source's page of text is refused.
    note = models.TextField("précision", blank=True, validators=[MaxLengthValidator(1000)])
    publication_status = models.CharField(
        "statut de publication",
        max_length=20,
        choices=Publishable.PublicationStatus.choices,
        default=Publishable.PublicationStatus.DRAFT,
        db_index=True,
    )
    sources = sources_field()
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True, db_index=True)

    objects = DeploymentQuerySet.as_manager()
    # What the public history may show of it (curation/history.py).
    history_public_fields = ("name", "url", "since", "note", "publication_status", "sources")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "déploiement"
        verbose_name_plural = "déploiements"
        ordering = ["initiative", "actor__name", "name", "id"]
        constraints = [
            # One address is one instance: a second row for it would count the same use twice.
            models.UniqueConstraint(
                fields=["initiative", "url"], condition=~Q(url=""), name="initiatives_deployment_unique_url"
            ),
            models.CheckConstraint(
                condition=Q(since="") | Q(since__regex=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"),
                name="initiatives_deployment_since_format",
            ),
            # Something must say who or where: a row with neither is no use at all.
            models.CheckConstraint(
                condition=Q(actor__isnull=False) | ~Q(url="") | ~Q(name=""),
                name="initiatives_deployment_says_who_or_where",
            ),
        ]
        indexes = [models.Index(fields=["actor", "initiative"], name="initiatives_deployment_actor")]

    Meta.constraints = [
        *Meta.constraints,
        choices_constraint(
            "publication_status", Publishable.PublicationStatus.choices, "initiatives_deployment_publication_valid"
        ),
    ]

    def __str__(self):
        who = self.actor.name if self.actor_id else (self.name or self.url)
        return f"{self.initiative} — {who}"

    @property
    def anchor(self):
        """The id of its row on its commons' page: old addresses of hosted instances point to it."""
        return f"deploiement-{self.pk}"

    def get_absolute_url(self):
        return f"{self.initiative.get_absolute_url()}#{self.anchor}"

    @property
    def is_published(self):
        return self.publication_status == Publishable.PublicationStatus.PUBLISHED


class DeploymentRedirect(models.Model):
    """The address of an entry that was a hosted instance and became a deployment of its commons
    (migration 0016): /initiatives/<old_slug>/ answers 301 to the deployment's row."""

    old_slug = models.SlugField("ancien identifiant", max_length=200, unique=True)
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="redirects")

    class Meta:
        verbose_name = "ancienne adresse d'un déploiement"
        verbose_name_plural = "anciennes adresses de déploiements"

    def __str__(self):
        return f"{self.old_slug} → {self.deployment_id}"


class DerivationManager(models.Manager):
    def get_by_natural_key(self, initiative_slug, fact, value):
        return self.get(initiative__slug=initiative_slug, fact=fact, value=value)


class Derivation(models.Model):
    """A fact about a commons that a rule read in a source, rather than a person entering it.

    catalogues/derive.py writes them (`derive_facts`, and every import): a category or a sector
    from the catalogue's classification, a place or a scale from the actors who carry it, a
    criterion from the licence or the repository, a way to take part from an address. Each says
    its rule and its source, so that the page can say "déduit du SILL" and the API `derived_from`.

    A curator's word wins: a derived value only fills what is empty, a value a curator removed or
    changed after it was applied is marked rejected, and a rejected value is never applied again,
    whatever later imports or runs say. Confirming keeps the value and drops the "derived" mark.
    """

    class Fact(models.TextChoices):
        CATEGORY = "category", _("Catégorie")
        SECTOR = "sector", _("Secteur")
        TERRITORY = "territory", _("Territoire")
        SCOPE = "scope", _("Échelle")
        CRITERION = "criterion", _("Critère du commun")
        PARTICIPATION = "participation", _("Comment participer")

    class Status(models.TextChoices):
        DERIVED = "derived", _("Déduit, à confirmer")
        CONFIRMED = "confirmed", _("Confirmé par un curateur")
        REJECTED = "rejected", _("Rejeté par un curateur")

    class Action(models.TextChoices):
        """The ways to take part (the value of a participation fact)."""

        REPORT_ISSUE = "report_issue", _("Signaler un problème ou proposer une amélioration")
        CONTRIBUTE = "contribute", _("Lire le guide de contribution")
        READ_DOCUMENTATION = "read_documentation", _("Lire la documentation")
        JOIN_USERS = "join_users", _("Rejoindre les utilisateurs")
        CONTACT_MAINTAINER = "contact_maintainer", _("Contacter l'organisation qui le porte")
        APPLY_FUNDING = "apply_funding", _("Demander un financement")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="derivations")
    fact = models.CharField("fait", max_length=20, choices=Fact.choices)
    # A category or sector slug, a territory code, a scale, "<criterion>:<status>", "<action>:<n>".
    value = models.CharField("valeur", max_length=200)
    label = models.CharField("libellé", max_length=300, blank=True)
    url = models.URLField("adresse", max_length=500, blank=True, help_text=_("La preuve, ou l'adresse où agir."))
    rule = models.CharField("règle", max_length=100, help_text=_("La règle qui l'a déduit (catalogues/derive.py)."))
    source = models.ForeignKey(
        "communs.Source", verbose_name="source", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_detail = models.CharField("lu dans", max_length=300, blank=True, help_text=_("Le champ et la valeur lus."))
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.DERIVED)
    # Whether the value was written on the entry: a value applied then gone was removed by a curator.
    applied = models.BooleanField("appliqué", default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    created_at = models.DateTimeField("déduit le", auto_now_add=True)

    objects = DerivationManager()

    class Meta:
        verbose_name = "fait déduit"
        verbose_name_plural = "faits déduits"
        ordering = ["initiative", "fact", "value"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "fact", "value"], name="initiatives_derivation_unique"),
        ]
        indexes = [models.Index(fields=["status", "fact"], name="initiatives_derivation_queue")]

    Meta.constraints = [
        *Meta.constraints,
        choices_constraint("fact", Fact.choices, "initiatives_derivation_fact_valid"),
        choices_constraint("status", Status.choices, "initiatives_derivation_status_valid"),
    ]

    def __str__(self):
        return f"{self.initiative} — {self.get_fact_display()} : {self.label or self.value}"

    def natural_key(self):
        return (*self.initiative.natural_key(), self.fact, self.value)

    natural_key.dependencies = ["initiatives.initiative"]

    @property
    def is_derived(self):
        return self.status == self.Status.DERIVED


def fallback_tag_slug(name) -> str:
    """A slug for a tag whose name slugifies to nothing ("!!!"): stable, non-empty, unique enough."""
    return "mot-cle-" + hashlib.sha1(str(name).encode("utf-8")).hexdigest()[:10]


def ensure_tag_slug(sender, instance, raw=False, **kwargs):
    """pre_save of taggit's Tag: a slug is never empty, whatever path created the tag.

    Forms and the API refuse such names already (validate_tag_name); this guards the other paths
    (the admin's tag field, fixtures, the shell), since an empty slug breaks every URL of the tag.
    """
    if not instance.slug:
        instance.slug = fallback_tag_slug(instance.name)


def _way_label(action, stored):
    """A way to take part in the page's language. catalogues/derive.py stores its label in French,
    the same text as these msgids (with a name after "Contacter " or "Demander un financement : ")."""
    Action = Derivation.Action
    if action in (Action.REPORT_ISSUE, Action.CONTRIBUTE, Action.READ_DOCUMENTATION):
        return Action(action).label
    if action == Action.JOIN_USERS and stored == "Rejoindre ses utilisateurs et référents dans l'administration (SILL)":
        return gettext("Rejoindre ses utilisateurs et référents dans l'administration (SILL)")
    if action == Action.CONTACT_MAINTAINER and stored.startswith("Contacter "):
        return gettext("Contacter %(name)s") % {"name": stored.removeprefix("Contacter ")}
    if action == Action.APPLY_FUNDING and stored.startswith("Demander un financement : "):
        return gettext("Demander un financement : %(name)s") % {
            "name": stored.removeprefix("Demander un financement : ")
        }
    return stored

"""Funding schemes, their editions and their laureates: the directory's funding finder."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communs.models import Publishable, choices_constraint, markdown_field, rendered_markdown_field, sources_field
from communs.text import CleanText
from initiatives.models import Initiative, Sector
from territories.models import Territory


class EditionManager(models.Manager):
    def get_by_natural_key(self, scheme_slug, label):
        return self.get(scheme__slug=scheme_slug, label=label)


class AwardManager(models.Manager):
    def get_by_natural_key(self, scheme_slug, label, initiative_slug):
        return self.get(edition__scheme__slug=scheme_slug, edition__label=label, initiative__slug=initiative_slug)


class FundingScheme(Publishable):
    """A programme through which an actor supports commons (call, fund, prize, incubation …)."""

    class Kind(models.TextChoices):
        CALL_FOR_PROJECTS = "call_for_projects", _("Appel à projets")
        CALL_FOR_COMMONS = "call_for_commons", _("Appel à communs")
        FUND = "fund", _("Fonds")
        GRANT = "grant", _("Subvention")
        PRIZE = "prize", _("Prix ou défi")
        INCUBATION = "incubation", _("Incubation ou accompagnement")
        IN_KIND = "in_kind", _("Soutien en nature")

    class Status(models.TextChoices):
        """The state a curator or an import states; the editions' dates win over it (availability.py),
        except for PROPOSED: an idea from a report or a plan, which no date makes open to applications."""

        OPEN = "open", _("Ouvert")
        CLOSED = "closed", _("Clos")
        RECURRING = "recurring", _("Récurrent")
        PROPOSED = "proposed", _("Proposé")

    class Availability(models.TextChoices):
        """Computed from the editions' dates, never stored (see funding/availability.py)."""

        OPEN = "open", _("Ouvert maintenant")
        CLOSING_SOON = "closing_soon", _("Clôture dans les 30 jours")
        # A recurring scheme whose next deadline is not dated yet: calls come back, none is open.
        RECURRING = "recurring", _("Appels réguliers")
        CLOSED = "closed", _("Clos")

    class Beneficiary(models.TextChoices):
        ASSOCIATION = "association", _("Associations")
        LOCAL_AUTHORITY = "local_authority", _("Collectivités")
        COMPANY = "company", _("Entreprises")
        PUBLIC_BODY = "public_body", _("Organismes publics")
        INDIVIDUAL = "individual", _("Particuliers")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=200, unique=True)
    kind = models.CharField(_("type de soutien"), max_length=30, choices=Kind.choices)
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, blank=True)
    summary = models.CharField(_("résumé"), max_length=200, blank=True)
    description = markdown_field(_("description"))
    description_html = rendered_markdown_field()
    operators = models.ManyToManyField(
        "actors.Actor", verbose_name=_("opérateurs"), blank=True, related_name="operated_schemes"
    )
    funders = models.ManyToManyField(
        "actors.Actor", verbose_name=_("financeurs"), blank=True, related_name="funded_schemes"
    )
    eligible_association = models.BooleanField(_("éligible : associations"), default=False)
    eligible_local_authority = models.BooleanField(_("éligible : collectivités"), default=False)
    eligible_company = models.BooleanField(_("éligible : entreprises"), default=False)
    eligible_public_body = models.BooleanField(_("éligible : organismes publics"), default=False)
    eligible_individual = models.BooleanField(_("éligible : particuliers"), default=False)
    competitive = models.BooleanField(_("sélectif"), null=True, blank=True)
    amount_min = models.DecimalField(_("montant minimum (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    amount_max = models.DecimalField(_("montant maximum (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    total_budget = models.DecimalField(_("budget total (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("secteurs"), blank=True, related_name="funding_schemes")
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funding_schemes",
    )
    url = models.URLField(_("page officielle"), blank=True)

    # What search() matches (see Initiative.search_fields).
    search_fields = [
        ("name", "A"),
        ("summary", "B"),
        ("operators__name", "B"),
        ("operators__acronym", "B"),
        ("description", "C"),
    ]

    markdown_fields = ("description",)
    # What the public history may show (curation/history.py): what the page and the anonymous API show.
    history_public_fields = (
        *("name", "slug", "kind", "status", "summary", "description", "publication_status", "operators"),
        *("funders", "eligible_association", "eligible_local_authority", "eligible_company"),
        *("eligible_public_body", "eligible_individual", "competitive", "amount_min", "amount_max"),
        *("total_budget", "sectors", "url", "sources"),
    )
    history = HistoricalRecords(m2m_fields=[operators, funders, sectors], excluded_fields=["description_html"])

    class Meta:
        verbose_name = _("dispositif de financement")
        verbose_name_plural = _("dispositifs de financement")
        ordering = ["name"]
        permissions = [("publish_fundingscheme", "Peut publier, archiver et renvoyer en brouillon un dispositif")]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_min__gte=0),
                name="funding_fundingscheme_amount_min_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount_max__isnull=True) | Q(amount_max__gte=0),
                name="funding_fundingscheme_amount_max_positive",
            ),
            models.CheckConstraint(
                condition=Q(total_budget__isnull=True) | Q(total_budget__gte=0),
                name="funding_fundingscheme_total_budget_positive",
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_max__isnull=True) | Q(amount_max__gte=F("amount_min")),
                name="funding_fundingscheme_amount_range",
            ),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        choices_constraint("kind", Kind.choices, "funding_fundingscheme_kind_valid"),
        choices_constraint("status", Status.choices, "funding_fundingscheme_status_valid", allow_blank=True),
    ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("funding:detail", args=[self.slug])

    @property
    def is_proposed(self):
        return self.status == self.Status.PROPOSED

    @property
    def availability_label(self):
        """The label of the `availability` that funding.availability.with_availability() annotates."""
        state = getattr(self, "availability", "")
        return self.Availability(state).label if state else ""

    @property
    def beneficiaries(self):
        return [code for code in self.Beneficiary.values if getattr(self, f"eligible_{code}")]

    def clean(self):
        errors = {}
        for field in ("amount_min", "amount_max", "total_budget"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("Un montant ne peut pas être négatif.")
        if self.amount_min is not None and self.amount_max is not None and self.amount_max < self.amount_min:
            errors["amount_max"] = _("Le montant maximum doit être supérieur ou égal au montant minimum.")
        if errors:
            raise ValidationError(errors)


class FundingEdition(CleanText):
    """One round of a scheme, with its figures."""

    scheme = models.ForeignKey(FundingScheme, on_delete=models.CASCADE, related_name="editions")
    label = models.CharField(_("édition"), max_length=100, help_text=_("Par exemple « 2024 » ou « 2e édition »."))
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    opens_on = models.DateField(_("ouverture"), null=True, blank=True)
    closes_on = models.DateField(_("clôture"), null=True, blank=True)
    budget = models.DecimalField(_("budget (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    laureates_count = models.PositiveIntegerField(_("nombre de lauréats"), null=True, blank=True)
    applicants_count = models.PositiveIntegerField(_("nombre de candidats"), null=True, blank=True)
    applicants_count_is_minimum = models.BooleanField(
        _("au moins ce nombre de candidats"),
        default=False,
        help_text=_("Cochez quand la source dit « plus de N candidats »."),
    )
    url = models.URLField("page de l'édition", blank=True)
    note = models.TextField("précision", blank=True)
    # Laureates the directory has no page for: named as the source names them, one per line. An
    # award (below) needs a commons' page; a name alone must not create a published commons.
    laureate_names = models.TextField(
        "lauréats sans fiche",
        blank=True,
        help_text=_(
            "Un par ligne, tels que la source les nomme ; un lauréat qui a une fiche est un « lauréat » (award)."
        ),
    )
    sources = sources_field()

    objects = EditionManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        ordering = ["scheme", "year", "label"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "label"], name="funding_fundingedition_unique_label"),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="funding_fundingedition_budget_positive",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")),
                name="funding_fundingedition_closes_after_opens",
            ),
        ]

    def __str__(self):
        return f"{self.scheme} — {self.label}"

    @property
    def laureate_name_list(self):
        return [line.strip() for line in self.laureate_names.splitlines() if line.strip()]

    def natural_key(self):
        return (*self.scheme.natural_key(), self.label)

    natural_key.dependencies = ["funding.fundingscheme"]

    def clean(self):
        errors = {}
        if self.budget is not None and self.budget < 0:
            errors["budget"] = _("Un montant ne peut pas être négatif.")
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("La date de clôture doit être postérieure ou égale à la date d'ouverture.")
        if errors:
            raise ValidationError(errors)


class Award(CleanText):
    """An initiative funded by one edition of a scheme."""

    edition = models.ForeignKey(FundingEdition, on_delete=models.CASCADE, related_name="awards")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="awards")
    amount = models.DecimalField(_("montant (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("précision"), blank=True)
    sources = sources_field()

    objects = AwardManager()
    # What the public history may show of it (curation/history.py).
    history_public_fields = ("amount", "note")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lauréat")
        verbose_name_plural = _("lauréats")
        ordering = ["edition", "initiative"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "initiative"], name="funding_award_unique"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="funding_award_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.initiative} — {self.edition}"

    def natural_key(self):
        return (*self.edition.natural_key(), *self.initiative.natural_key())

    natural_key.dependencies = ["funding.fundingedition", "initiatives.initiative"]

    def clean(self):
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("Un montant ne peut pas être négatif.")})

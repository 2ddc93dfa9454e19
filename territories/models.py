"""Places with their official codes (régions, départements, EPCI, communes …), imported from INSEE
(``manage.py import_territories``). The floor above ``communs``: the feature apps (commons, actors,
funding) attach their entries to a Territory; this app imports none of them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communs.models import choices_constraint


class TerritoryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Territory(models.Model):
    """A place with its official code; `code` is unique across kinds (``dep-29``, ``com-29019``)."""

    class Kind(models.TextChoices):
        WORLD = "world", _("International")
        EUROPE = "europe", _("Europe")
        COUNTRY = "country", _("Pays")
        REGION = "region", _("Région")
        DEPARTEMENT = "departement", _("Département")
        EPCI = "epci", _("Intercommunalité (EPCI)")
        COMMUNE = "commune", _("Commune")
        OTHER = "other", _("Autre groupement")

    # INSEE codes repeat across kinds (region 84 and département 84), so the
    # public identifier carries the kind as a prefix.
    code = models.SlugField("code", max_length=30, unique=True)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    name = models.CharField("nom", max_length=200)
    official_code = models.CharField(
        "code officiel", max_length=20, blank=True, help_text=_("Code INSEE (COG) ou SIREN pour un EPCI.")
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
    # A commune's EPCI beside its parent, not instead of it: an EPCI may straddle départements (and
    # the chain commune < département < région is what the map and the funding finder follow), so
    # membership is a second link, read by territories.places.inside().
    epci = models.ForeignKey(
        "self",
        verbose_name="intercommunalité (EPCI)",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_communes",
        limit_choices_to={"kind": "epci"},
        help_text=_("Pour une commune : l'EPCI à fiscalité propre dont elle est membre."),
    )

    objects = TerritoryManager()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=r"^[0-9]{9}$"), name="territories_territory_siren_format"
            ),
            # Only a commune is a member of an EPCI (that the EPCI is one is checked in clean()).
            models.CheckConstraint(
                condition=Q(epci__isnull=True) | Q(kind="commune"), name="territories_territory_epci_member_is_commune"
            ),
        ]

    # Meta cannot see the nested choices, so their constraints are added from the class body.
    Meta.constraints = [
        *Meta.constraints,
        choices_constraint("kind", Kind.choices, "territories_territory_kind_valid"),
    ]

    def __str__(self):
        if self.official_code and self.kind in (self.Kind.DEPARTEMENT, self.Kind.COMMUNE):
            return f"{self.name} ({self.official_code})"
        return self.name

    def get_absolute_url(self):
        return reverse("territories:detail", args=[self.code])

    def clean(self):
        if self.epci_id is not None:
            if self.kind != self.Kind.COMMUNE:
                raise ValidationError({"epci": "Seule une commune est membre d'un EPCI."})
            if self.epci.kind != self.Kind.EPCI:
                raise ValidationError({"epci": "Choisissez une intercommunalité (EPCI)."})

    def natural_key(self):
        return (self.code,)

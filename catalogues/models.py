from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Record(models.Model):
    """One entry of an imported catalogue, and the directory entry it fed.

    It is the provenance of the entry's imported fields: `imported` holds each field's value as this
    source last gave it, so that the next import can tell a curator's edit (the entry's value differs
    from it) from a change at the source (the source's value differs), and report a conflict instead
    of overwriting the curator. `extra` keeps what the source says that the directory has no field
    for (SILL years and status, Comptoir du Libre id, publiccode.yml country sections, DPG SDGs…).
    """

    source = models.ForeignKey(
        "communs.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="records"
    )
    external_id = models.CharField(_("identifiant dans la source"), max_length=300)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    entry = GenericForeignKey("content_type", "object_id")
    imported = models.JSONField(_("valeurs importées"), default=dict, blank=True)
    extra = models.JSONField(_("autres données de la source"), default=dict, blank=True)
    first_imported_at = models.DateTimeField(_("importé le"), auto_now_add=True)
    last_imported_at = models.DateTimeField(_("dernier import le"))

    class Meta:
        verbose_name = _("fiche importée")
        verbose_name_plural = _("fiches importées")
        ordering = ["source", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "external_id"], name="catalogues_record_unique_external_id"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="catalogues_record_entry")]

    def __str__(self):
        return f"{self.source.key}:{self.external_id}"

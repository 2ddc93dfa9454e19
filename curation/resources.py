"""Import/export formats of the curated entries (django-import-export).

Rows are matched by slug, relations by slug or territory code, never by primary key,
so a file exported from one database imports into another. The workflow fields are
exported but never imported: a new row lands as a draft, an updated row keeps its
status, and only the review workflow publishes.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative, Sector
from territories.models import Territory


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Like ManyToManyWidget, but an unknown value is an error rather than silently dropped."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return self.model.objects.none()
        wanted = [item.strip() for item in str(value).split(self.separator) if item.strip()]
        found = self.model.objects.filter(**{f"{self.field}__in": wanted})
        missing = sorted(set(wanted) - {str(getattr(obj, self.field)) for obj in found})
        if missing:
            raise ValueError(f"valeur(s) inconnue(s) : {', '.join(missing)}")
        return found


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"« {value} » n'existe pas ({self.model._meta.verbose_name})") from None


def _readonly(name):
    return fields.Field(attribute=name, column_name=name, readonly=True)


class CuratedResource(resources.ModelResource):
    publication_status = _readonly("publication_status")
    version = _readonly("version")
    updated_at = _readonly("updated_at")

    def import_instance(self, instance, row, **kwargs):
        # django-import-export checks many-to-many values only when saving them, as
        # a row *error* that hides the other rows' validation errors. Check them
        # here so that every bad row is listed with its reason in one report.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors.update(error.error_dict)
        stale = self.stale_version_error(instance, row, kwargs.get("row_number"))
        if stale:
            errors["version"] = [stale]
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def stale_version_error(self, instance, row, row_number):
        """The no-lost-update rule of the admin form and the API, for files: a row exported at an
        older version than the entry's would overwrite the changes made since the export."""
        exported = row.get("version")
        if instance.pk is None or exported in (None, ""):
            return None  # a new entry, or a file written by hand without the column
        try:
            exported = int(float(exported))  # spreadsheets give 3.0
        except (TypeError, ValueError):
            return ValidationError("La colonne version doit contenir un nombre entier.", code="invalid")
        if exported >= instance.version:
            return None
        return ValidationError(
            "Ligne %(row)s (« %(slug)s ») : exportée à la version %(exported)s de la fiche, qui en est à la "
            "version %(current)s. Elle a été modifiée depuis l'export : exportez-la de nouveau et reportez-y "
            "vos changements. Rien n'a été importé.",
            code="stale_version",
            params={"row": row_number, "slug": instance.slug, "exported": exported, "current": instance.version},
        )

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = "Import de fichier"


class InitiativeResource(CuratedResource):
    sectors = fields.Field(
        attribute="sectors", column_name="sectors", widget=StrictManyToManyWidget(Sector, field="slug", separator="|")
    )
    territories = fields.Field(
        attribute="territories",
        column_name="territories",
        widget=StrictManyToManyWidget(Territory, field="code", separator="|"),
    )

    class Meta:
        model = Initiative
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "acronym",
            "aliases",
            "kind",
            "development_status",
            "summary",
            "description",
            "website",
            "repository_url",
            "documentation_url",
            "licence",
            "territorial_scope",
            "launch_year",
            "logo_url",
            "wikidata_qid",
            "sill_id",
            "software_heritage_url",
            "contact_point",
            "governance_url",
            "contributing_url",
            "how_to_contribute",
            "logic_free_software",
            "logic_sovereignty",
            "logic_public_action",
            "logic_resilience",
            "sectors",
            "territories",
            "publication_status",
            "version",
            "updated_at",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        # full_clean() on every row: the SPDX, Wikidata, URL validators of the admin apply.
        clean_model_instances = True
        use_transactions = True


class ActorResource(CuratedResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=StrictForeignKeyWidget(Actor, field="slug"))
    territory = fields.Field(
        attribute="territory", column_name="territory", widget=StrictForeignKeyWidget(Territory, field="code")
    )

    class Meta:
        model = Actor
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "acronym",
            "kind",
            "parent",
            "description",
            "website",
            "territory",
            "siren",
            "siret",
            "wikidata_qid",
            "publication_status",
            "version",
            "updated_at",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True


class FundingSchemeResource(CuratedResource):
    operators = fields.Field(
        attribute="operators",
        column_name="operators",
        widget=StrictManyToManyWidget(Actor, field="slug", separator="|"),
    )
    funders = fields.Field(
        attribute="funders", column_name="funders", widget=StrictManyToManyWidget(Actor, field="slug", separator="|")
    )
    sectors = fields.Field(
        attribute="sectors", column_name="sectors", widget=StrictManyToManyWidget(Sector, field="slug", separator="|")
    )
    territory = fields.Field(
        attribute="territory", column_name="territory", widget=StrictForeignKeyWidget(Territory, field="code")
    )

    class Meta:
        model = FundingScheme
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "kind",
            "status",
            "summary",
            "description",
            "url",
            "operators",
            "funders",
            "sectors",
            "territory",
            "eligible_association",
            "eligible_local_authority",
            "eligible_company",
            "eligible_public_body",
            "eligible_individual",
            "competitive",
            "amount_min",
            "amount_max",
            "total_budget",
            "publication_status",
            "version",
            "updated_at",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

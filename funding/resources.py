"""The file import and export of funding schemes in the admin (see curation/resources.py)."""

from import_export import fields

from actors.models import Actor
from curation.resources import CuratedResource, StrictForeignKeyWidget, StrictManyToManyWidget
from funding.models import FundingScheme
from initiatives.models import Sector
from territories.models import Territory


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

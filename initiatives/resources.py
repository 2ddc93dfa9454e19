"""The file import and export of initiatives in the admin (see curation/resources.py)."""

from import_export import fields

from curation.resources import CuratedResource, StrictManyToManyWidget
from initiatives.models import Category, Initiative, Sector
from territories.models import Territory


class InitiativeResource(CuratedResource):
    sectors = fields.Field(
        attribute="sectors", column_name="sectors", widget=StrictManyToManyWidget(Sector, field="slug", separator="|")
    )
    categories = fields.Field(
        attribute="categories",
        column_name="categories",
        widget=StrictManyToManyWidget(Category, field="slug", separator="|"),
    )
    territories = fields.Field(
        attribute="territories",
        column_name="territories",
        widget=StrictManyToManyWidget(Territory, field="code", separator="|"),
    )

    class Meta:
        model = Initiative
        import_id_fields = ["slug"]
        # The public fields (one column per logic, tags left to the admin's form), then the version
        # that guards against lost updates.
        fields = [
            *(
                column
                for name in Initiative.public_fields
                if name != "tags"
                for column in ([f"logic_{code}" for code in Initiative.Logic.values] if name == "logics" else [name])
            ),
            "version",
            "updated_at",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        # full_clean() on every row: the SPDX, Wikidata, URL validators of the admin apply.
        clean_model_instances = True
        use_transactions = True

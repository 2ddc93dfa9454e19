"""The file import and export of actors in the admin (see curation/resources.py)."""

from import_export import fields

from actors.models import Actor
from curation.resources import CuratedResource, StrictForeignKeyWidget
from territories.models import Territory


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

"""The listing of imported records (/api/v1/catalogue-records/): where each entry's data came from."""

import django_filters

from catalogues.models import Record
from communs.filters import UtcIsoDateTimeFilter
from communs.models import Source


class RecordFilter(django_filters.FilterSet):
    source = django_filters.ModelChoiceFilter(
        label="Source", field_name="source", to_field_name="key", queryset=Source.objects.all()
    )
    initiative = django_filters.CharFilter(label="Initiative (identifiant)", method="filter_entry")
    actor = django_filters.CharFilter(label="Acteur (identifiant)", method="filter_entry")
    updated_since = UtcIsoDateTimeFilter(
        label="Importé depuis (ISO 8601)", field_name="last_imported_at", lookup_expr="gte"
    )

    class Meta:
        model = Record
        fields = []

    def filter_entry(self, queryset, name, value):
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        model = (
            apps.get_model("initiatives", "Initiative") if name == "initiative" else apps.get_model("actors", "Actor")
        )
        return queryset.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=model._base_manager.filter(slug=value).values("pk"),
        )

"""The API's list of initiatives and its dumps, built without a DRF serializer per entry.

InitiativeSerializer stays the definition of an initiative's representation, and the detail
endpoint and the writes use it. A page of the list gives the same JSON, byte for byte
(tests/api/test_light_list.py compares them), from plain loops: a list of 100 entries spent most of
its time in DRF's per-field dispatch, in one `reverse()` per link (five or more per entry) and, in
the prefetches, in a related manager and a filtered queryset built per entry and relation. Here:

- the related rows are prefetched into plain lists (`Prefetch(…, to_attr=…)`), with the same
  queries as the detail's prefetches, so the same rows in the same order and a constant number of
  queries per page;
- each kind of link is reversed once per request, with a placeholder, and the entries' identifiers
  are put in its place (quoted as `reverse()` quotes them);
- the plain fields are converted by the serializer's own field objects, so dates, URLs and choices
  read exactly as in the detail.

The few nested lists that are rare and carry more rules (awards, uses, derived facts) keep their
DRF serializers, one instance per list and per request.
"""

import re
from urllib.parse import quote

from django.db.models import Prefetch
from django.urls import reverse as django_reverse
from django.utils.encoding import iri_to_uri
from rest_framework.reverse import reverse

from actors.models import Actor
from communs.locale import translated_texts
from communs.models import visible_q
from communs.rest.backends import LOOKUP_REGEX
from communs.sources import cite, cited_keys, source_catalogue
from funding.models import Award, FundingScheme
from initiatives.models import Deployment, Derivation, Initiative, Involvement
from initiatives.serializers import (
    DerivedFactSerializer,
    InitiativeAwardSerializer,
    InitiativeDeploymentSerializer,
    InitiativeSerializer,
    csv_line,
)

# Prefetched lists, under names of their own so that no related manager is built per entry.
RELATED = {
    "sectors": "list_sectors",
    "categories": "list_categories",
    "territories": "list_territories",
    "tags": "list_tags",
    "criteria": "list_criteria",
}


def list_prefetches(request):
    """What a page of the list reads: one query per relation, whatever the number of entries."""
    return [
        *(Prefetch(name, to_attr=attr) for name, attr in RELATED.items()),
        Prefetch("derivations", queryset=Derivation.objects.select_related("source"), to_attr="list_derivations"),
        Prefetch(
            "involvements",
            queryset=Involvement.objects.filter(visible_q(Actor, request.user, "actor__"))
            .select_related("actor")
            .order_by("role", "actor__name", "pk"),
            to_attr="visible_involvements",
        ),
        Prefetch(
            "awards",
            queryset=Award.objects.filter(visible_q(FundingScheme, request.user, "edition__scheme__"))
            .select_related("edition__scheme")
            .order_by("edition__year", "edition__label", "pk"),
            to_attr="visible_awards",
        ),
        Prefetch(
            "deployments",
            queryset=Deployment.objects.visible_to(request.user)
            .select_related("actor", "territory")
            .order_by("actor__name", "name", "pk"),
            to_attr="visible_deployments",
        ),
    ]


# Stands for an identifier in a link reversed once; digits, so that every route's pattern takes it.
PLACEHOLDER = "8230917465019283"
# How reverse() quotes an argument (django.urls.resolvers), so that a tag's accented slug reads the same.
SAFE_IN_PATH = "!$&'()*+,;=/~:@"
SLUG_OR_CODE = re.compile(LOOKUP_REGEX)


class Links:
    """The request's links, each kind reversed once: `links.api("sector-detail", slug)`."""

    def __init__(self, request, fmt):
        self.request = request
        self.format = fmt
        self.templates = {}

    def api(self, view_name, value):
        """What DRF's HyperlinkedIdentityField gives (absolute, with the request's `?format=`)."""
        value = str(value)
        if not SLUG_OR_CODE.fullmatch(value):
            # Not a value the placeholder stands for: reverse() says what it would have said.
            return reverse(f"api:{view_name}", args=[value], request=self.request, format=self.format)
        key = ("api", view_name)
        if key not in self.templates:
            url = reverse(f"api:{view_name}", kwargs=self._kwargs(view_name), request=self.request, format=self.format)
            self.templates[key] = url.split(PLACEHOLDER, 1)
        before, after = self.templates[key]
        return before + quote(value, safe=SAFE_IN_PATH) + after

    def _kwargs(self, view_name):
        lookup = {"territory-detail": "code", "involvement-detail": "pk"}.get(view_name, "slug")
        return {lookup: PLACEHOLDER}

    def page(self, view_name, slug):
        """An entry's page on the site, absolute (HtmlUrlMixin), in the request's language."""
        key = ("page", view_name)
        if key not in self.templates:
            url = self.request.build_absolute_uri(django_reverse(view_name, args=[PLACEHOLDER]))
            self.templates[key] = url.split(PLACEHOLDER, 1)
        before, after = self.templates[key]
        return iri_to_uri(before + quote(slug, safe=SAFE_IN_PATH) + after)


# The fields of the representation that are the model's own columns, converted by the serializer's fields.
COLUMNS = [
    name
    for name in InitiativeSerializer.Meta.fields
    if name
    not in (
        "url",
        "html_url",
        "aliases",
        "logics",
        *RELATED,
        "involvements",
        "criteria_summary",
        "awards",
        "deployments",
        "ways_to_take_part",
        "derived_from",
        "sources",
    )
]


def _column_fields():
    """The serializer's fields of COLUMNS, built once per process: their to_representation() reads
    neither the context nor the request, and building them (a deep copy of the declared fields)
    cost a list as much as building 20 entries."""
    fields = InitiativeSerializer().fields
    return [(name, fields[name]) for name in COLUMNS]


class InitiativeRows:
    """A page (or a chunk of a dump) of initiatives as InitiativeSerializer represents them."""

    _columns = None

    def __init__(self, context):
        if InitiativeRows._columns is None:
            InitiativeRows._columns = _column_fields()
        self.columns = InitiativeRows._columns
        self.context = context
        self.links = Links(context["request"], context.get("format"))
        self.nested = {}

    def _nested(self, serializer_class, rows):
        if not rows:
            return []
        if serializer_class not in self.nested:
            self.nested[serializer_class] = serializer_class(context=self.context)
        child = self.nested[serializer_class]
        return [child.to_representation(row) for row in rows]

    def _sources(self, value):
        """SourcesField.to_representation: cited sources read once per request, through the context."""
        if not cited_keys(value):
            return value
        if "source_catalogue" not in self.context:
            self.context["source_catalogue"] = source_catalogue()
        return cite(value, self.context["source_catalogue"])

    def represent(self, initiatives):
        initiatives = list(initiatives)
        descriptions = translated_texts(initiatives, "description")
        return [self.entry(initiative, descriptions) for initiative in initiatives]

    def entry(self, obj, descriptions):
        links = self.links
        data = {"url": links.api("initiative-detail", obj.slug), "html_url": links.page("initiatives:detail", obj.slug)}
        for name, field in self.columns:
            value = getattr(obj, name)
            data[name] = None if value is None else field.to_representation(value)
        # Same field, the request's language (InitiativeSerializer.to_representation).
        data["description"] = descriptions.get(obj.pk) or data["description"]
        derivations = obj.list_derivations
        criteria = obj.list_criteria
        related = {
            "aliases": obj.alias_list,
            "sectors": [
                {"slug": row.slug, "name": row.name, "url": links.api("sector-detail", row.slug)}
                for row in obj.list_sectors
            ],
            "categories": [{"slug": row.slug, "name": row.name} for row in obj.list_categories],
            "tags": [
                {"slug": row.slug, "name": row.name, "url": links.api("tag-detail", row.slug)}
                for row in obj.list_tags
                if row.slug  # SluggedList: a tag without a slug has no address
            ],
            "territories": [
                {"code": row.code, "name": row.name, "kind": row.kind, "url": links.api("territory-detail", row.code)}
                for row in obj.list_territories
            ],
            "logics": obj.logics,
            "involvements": [self.involvement(row) for row in obj.visible_involvements],
            "criteria": [
                {"criterion": row.criterion, "status": row.status, "evidence_url": row.evidence_url, "note": row.note}
                for row in criteria
            ],
            "criteria_summary": Initiative.summarise_criteria(criteria),
            "awards": self._nested(InitiativeAwardSerializer, obj.visible_awards),
            "deployments": self._nested(InitiativeDeploymentSerializer, obj.visible_deployments),
            "ways_to_take_part": [
                {"action": way["action"], "label": way["label"], "url": way["url"], "derived": way["derived"]}
                for way in obj.ways_to_take_part(derivations)
            ],
            "derived_from": self._nested(DerivedFactSerializer, obj.standing_derivations(derivations)),
            "sources": None if obj.sources is None else self._sources(obj.sources),
        }
        return {name: data[name] if name in data else related[name] for name in InitiativeSerializer.Meta.fields}

    def involvement(self, row):
        actor = row.actor
        return {
            "id": row.pk,
            "role": row.role,
            "actor": {
                "slug": actor.slug,
                "name": actor.name,
                "acronym": actor.acronym,
                "kind": actor.kind,
                "url": self.links.api("actor-detail", actor.slug),
            },
            "since": row.since,  # years
            "until": row.until,
            "note": row.note,
            "url": self.links.api("involvement-detail", row.pk),
        }


def csv_lines(rows):
    return [csv_line(row) for row in rows]

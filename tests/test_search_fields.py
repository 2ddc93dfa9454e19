"""Each searchable model declares its `search_fields` once; its search document (communs/search_index.py)
holds exactly those fields, each in the column of its weight."""

import pytest
from django.contrib.contenttypes.models import ContentType

from actors.models import Actor
from communs.models import SearchDocument
from communs.search import searched_fields
from funding.models import FundingScheme
from initiatives.models import Initiative, Involvement, Sector
from tests.factories import make_actor, make_initiative

pytestmark = pytest.mark.django_db

SEARCHABLE = [Initiative, Actor, FundingScheme]


@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda model: model.__name__)
def test_every_declared_field_exists_on_the_model(model):
    for lookup, weight in searched_fields(model):
        assert weight in "ABCD", (model, lookup)
        head, *rest = lookup.split("__")
        field = model._meta.get_field(head)
        for name in rest:  # follow the relation to the last field
            field = field.related_model._meta.get_field(name)


def document_of(entry):
    return SearchDocument.objects.get(content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk)


def test_the_document_holds_each_declared_field_in_the_column_of_its_weight():
    parent = make_actor(name="Ministère", publication_status="published")
    carrier = make_actor(name="Agence nationale", acronym="ANCT", parent=parent, publication_status="published")
    initiative = make_initiative(
        name="Démarches Simplifiées",
        acronym="DS",
        aliases="DémSimpl",
        summary="Formulaires en ligne",
        description="Un **outil** libre",
    )
    initiative.tags.add("Formulaires")
    initiative.sectors.add(Sector.objects.create(name="Administration", slug="administration"))
    Involvement.objects.create(initiative=initiative, actor=carrier, role="carrier")
    document = document_of(initiative)
    assert document.title.split("\n") == ["demarches simplifiees", "ds", "demsimpl"]
    assert set(document.keywords.split("\n")) == {
        "formulaires en ligne",
        "formulaires",
        "administration",
        "agence nationale",
        "anct",
    }
    assert document.body == "un **outil** libre"
    assert document_of(carrier).body == "ministere"  # parent__name, weight C


def test_a_model_without_search_fields_is_refused():
    with pytest.raises(TypeError, match="search_fields"):
        searched_fields(Sector)

"""Each searchable model declares its `search_fields` once; PostgreSQL's generated search columns
(migrations initiatives/0004 and 0005) must index exactly its own fields, with the same weights."""

import re

import pytest
from django.db import connection

from actors.models import Actor
from communs.search import searched_fields
from funding.models import FundingScheme
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

SEARCHABLE = [Initiative, Actor, FundingScheme]


def own_fields(model):
    return [(lookup, weight) for lookup, weight in searched_fields(model) if "__" not in lookup]


def generated_columns(model):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, generation_expression FROM information_schema.columns "
            "WHERE table_name = %s AND column_name IN ('search_document', 'search_text')",
            [model._meta.db_table],
        )
        return dict(cursor.fetchall())


@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda model: model.__name__)
def test_every_declared_field_exists_on_the_model(model):
    for lookup, weight in searched_fields(model):
        assert weight in "ABCD", (model, lookup)
        head, *rest = lookup.split("__")
        field = model._meta.get_field(head)
        for name in rest:  # follow the relation to the last field
            field = field.related_model._meta.get_field(name)


@pytest.mark.postgres
@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda model: model.__name__)
def test_the_generated_search_columns_follow_the_declaration(model):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only: the generated search columns")
    columns = generated_columns(model)
    # search_document: setweight(to_tsvector(…, COALESCE((name)::text, …)), 'A') || …
    document = re.findall(r"COALESCE\(\(?(\w+)\)?(?:::text)?, ''::text\)\), '([A-D])'", columns["search_document"])
    # search_text: communs_fold(COALESCE((name)::text, '') || E'\n' || …)
    text = re.findall(r"COALESCE\(\(?(\w+)\)?(?:::text)?, ''::text\)", columns["search_text"])
    assert document == own_fields(model)
    assert text == [lookup for lookup, _ in own_fields(model)]


def test_a_model_without_search_fields_is_refused():
    from initiatives.models import Sector

    with pytest.raises(TypeError, match="search_fields"):
        searched_fields(Sector)

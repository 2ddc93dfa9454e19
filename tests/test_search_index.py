"""Inside a transaction the search documents are written once, at the commit or before a search
reads them (communs/search_index.py), and a rolled-back change leaves them as the rows are."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from communs.models import SearchDocument
from communs.search import search
from communs.search_index import facet_keys_of
from initiatives.models import CriterionAssessment, Initiative, Involvement
from tests.factories import make_actor, make_initiative, make_sector, make_territory


class Rollback(Exception):
    pass


def found(text):
    return list(search(Initiative.objects.all(), text).values_list("slug", flat=True))


def document_of(initiative):
    return SearchDocument.objects.get(content_type__model="initiative", object_id=initiative.pk)


def document_writes(queries):
    return [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "communs_searchdocument"')]


@pytest.mark.django_db(transaction=True)
def test_an_entry_saved_with_its_links_in_one_transaction_gets_its_document_written_once_at_the_commit():
    carrier = make_actor("ign", "Institut national de l'information géographique", publication_status="published")
    sectors = [make_sector("cadastre", "Cadastre"), make_sector("energie", "Énergie")]
    place = make_territory("reg-53", "Bretagne", kind="region")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        initiative = make_initiative("solaire", "Cadastre solaire", sectors=sectors, territories=[place])
        initiative.tags.add("photovoltaïque", "toitures")
        Involvement.objects.create(initiative=initiative, actor=carrier, role="carrier")
        CriterionAssessment.objects.create(initiative=initiative, criterion="open_licence", status="met")
        assert document_writes(queries) == []  # nothing read them yet
    assert len(document_writes(queries)) == 1
    document = document_of(initiative)
    assert {
        "cadastre",
        "energie",
        "photovoltaique",
        "toitures",
        "institut national de l'information geographique",
    } <= set(document.keywords.split("\n"))
    assert ("criterion", "open_licence") in [key[:2] for key in facet_keys_of(document)]
    assert found("toitures") == ["solaire"]


@pytest.mark.django_db
def test_a_search_inside_the_transaction_sees_what_it_wrote():
    initiative = make_initiative("solaire", "Cadastre solaire")
    assert found("photovoltaique") == []
    initiative.tags.add("photovoltaïque")
    assert found("photovoltaique") == ["solaire"]
    initiative.tags.clear()
    assert found("photovoltaique") == []


@pytest.mark.django_db
def test_documents_written_inside_a_savepoint_rolled_back_are_written_again_for_the_rows_that_stay():
    initiative = make_initiative("solaire", "Cadastre solaire")
    initiative.tags.add("toitures")  # noted in the outer block
    with pytest.raises(Rollback), transaction.atomic():
        assert found("toitures") == ["solaire"]  # written inside the savepoint…
        raise Rollback  # …which takes the document back with it
    assert found("toitures") == ["solaire"]  # the tag stayed: its document is written again


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_the_document_as_the_rows_are():
    initiative = make_initiative("solaire", "Cadastre solaire")
    assert found("solaire") == ["solaire"]
    with pytest.raises(Rollback), transaction.atomic():
        initiative.tags.add("toitures")
        Initiative.objects.filter(pk=initiative.pk).update(name="Autre nom")
        initiative.name = "Autre nom"
        initiative.save()
        raise Rollback
    assert found("toitures") == []
    assert found("solaire") == ["solaire"]
    assert document_of(initiative).title.split("\n")[0] == "cadastre solaire"

"""Every admin list, add and change page of the curated models loads for each role,
within a pinned number of queries (a regression to N+1 fails here)."""

import pytest
from django.urls import reverse

from funding.models import Award, FundingEdition
from initiatives.models import CriterionAssessment, Involvement
from tests.factories import make_actor, make_initiative, make_scheme, make_sector, make_territory

from .conftest import logged_in

MODELS = [
    "initiatives.initiative",
    "actors.actor",
    "funding.fundingscheme",
    "initiatives.involvement",
    "funding.fundingedition",
    "funding.award",
    "initiatives.criterionassessment",
    "curation.suggestion",
    "initiatives.sector",
    "territories.territory",
]
# Query budgets (changelist, change, history, add), measured for a curator (the role
# with the most permission checks) plus a margin of 2. The fixture builds several
# related rows per entry, so an N+1 on a list shows up as a blown budget.
BUDGETS = {
    "initiatives.initiative": (12, 30, 27, 6),
    "actors.actor": (10, 20, 9, 6),
    "funding.fundingscheme": (11, 16, 25, 6),
    "initiatives.involvement": (9, 12, 11, 6),
    "funding.fundingedition": (10, 27, 10, 6),
    "funding.award": (9, 14, 12, 6),
    "initiatives.criterionassessment": (9, 9, 9, 6),
    "curation.suggestion": (11, 10, None, None),
    "initiatives.sector": (9, 8, 11, 6),
    "territories.territory": (9, 8, None, 6),
}


@pytest.fixture
def dataset(db):
    from curation.models import Suggestion

    sectors = [make_sector() for _ in range(3)]
    territories = [make_territory() for _ in range(3)]
    actors = [make_actor(territory=territories[0]) for _ in range(3)]
    actors[1].parent = actors[0]
    actors[1].save()
    initiatives = []
    for i in range(4):
        initiative = make_initiative(publication_status="published" if i % 2 else "draft")
        initiative.sectors.set(sectors)
        initiative.territories.set(territories)
        initiative.tags.add("carto", "libre")
        for actor in actors:
            Involvement.objects.create(initiative=initiative, actor=actor, role="carrier")
        CriterionAssessment.objects.create(initiative=initiative, criterion="open_licence", status="met")
        initiatives.append(initiative)
    scheme = make_scheme()
    scheme.operators.set(actors)
    scheme.sectors.set(sectors)
    edition = FundingEdition.objects.create(scheme=scheme, label="2024", year=2024)
    for initiative in initiatives:
        Award.objects.create(edition=edition, initiative=initiative)
    Suggestion.objects.create(kind="new", name="Un commun", summary="Un résumé")
    Suggestion.objects.create(kind="correction", initiative=initiatives[1], message="Le site a changé")
    return {
        "initiatives.initiative": initiatives[1],
        "actors.actor": actors[1],
        "funding.fundingscheme": scheme,
        "initiatives.involvement": Involvement.objects.first(),
        "funding.fundingedition": edition,
        "funding.award": Award.objects.first(),
        "initiatives.criterionassessment": CriterionAssessment.objects.first(),
        "curation.suggestion": Suggestion.objects.first(),
        "initiatives.sector": sectors[0],
        "territories.territory": territories[0],
    }


READ_ONLY_FOR_CURATORS = {"initiatives.sector", "territories.territory"}


def _url(model, kind, obj=None):
    app_label, model_name = model.split(".")
    name = f"admin:{app_label}_{model_name}_{kind}"
    return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)


@pytest.mark.parametrize("role", ["curator", "editor", "superuser"])
@pytest.mark.parametrize("model", MODELS)
def test_list_add_change_and_history_pages_load(client, users, dataset, role, model, django_assert_max_num_queries):
    client = logged_in(client, users[role])
    obj = dataset[model]
    changelist, change, history, add_budget = BUDGETS[model]
    with django_assert_max_num_queries(changelist):
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    with django_assert_max_num_queries(change):
        response = client.get(_url(model, "change", obj))
    assert response.status_code == 200
    if history is not None:
        with django_assert_max_num_queries(history):
            response = client.get(_url(model, "history", obj))
        assert response.status_code == 200
    add = client.get(_url(model, "add"))
    if model == "curation.suggestion" or (model in READ_ONLY_FOR_CURATORS and role == "curator"):
        assert add.status_code == 403  # suggestions come from the public forms only; reference data
    elif model == "territories.territory" and role != "superuser":
        assert add.status_code == 403  # territories come from the INSEE import
    else:
        with django_assert_max_num_queries(add_budget):
            add = client.get(_url(model, "add"))
        assert add.status_code == 200


@pytest.mark.parametrize("role", ["curator", "editor", "superuser"])
def test_index_and_data_quality_pages_load(client, users, dataset, role):
    client = logged_in(client, users[role])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Qualité des données" in response.text
    assert "Annuaire des communs numériques : espace éditorial" in response.text
    assert "Administration de Django" not in response.text
    assert client.get(reverse("admin:curation_data_quality")).status_code == 200

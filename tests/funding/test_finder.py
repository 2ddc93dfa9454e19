"""/financements/: the funding finder."""

import pytest

pytestmark = pytest.mark.django_db


def slugs(client, query=""):
    response = client.get("/financements/" + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return [scheme.slug for scheme in response.context["page"].object_list]


def facet_counts(client, query):
    """Each facet's counts, by name, from one request (the same request again is a page-cache hit, without context)."""
    response = client.get(f"/financements/?{query}")
    return {f["name"]: {o["value"]: o["count"] for o in f["options"] + f["more"]} for f in response.context["facets"]}


def test_published_schemes_only(client, directory):
    assert slugs(client) == ["appel-a-communs", "fonds-communs", "prix-ferme"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("availability=open", ["appel-a-communs", "fonds-communs"]),  # an edition open today / status open
        ("availability=recurring", ["appel-a-communs"]),
        ("availability=closed", ["prix-ferme"]),
        ("availability=closed&availability=recurring", ["appel-a-communs", "prix-ferme"]),
        ("beneficiary=company", ["prix-ferme"]),
        ("beneficiary=local_authority", ["appel-a-communs"]),
        ("kind=fund", ["fonds-communs"]),
        ("operator=ademe", ["appel-a-communs"]),
        ("sector=geodonnees", ["appel-a-communs"]),
        # The applicant's place: national schemes and those of the places containing it.
        ("territory=reg-53", ["appel-a-communs", "fonds-communs", "prix-ferme"]),
        ("territory=com-29019", ["appel-a-communs", "fonds-communs", "prix-ferme"]),
        ("territory=fr", ["appel-a-communs", "fonds-communs"]),
        ("availability=closing_soon", ["appel-a-communs", "fonds-communs"]),
        ("q=ADEME", ["appel-a-communs"]),
        ("availability=open&beneficiary=association", ["appel-a-communs", "fonds-communs"]),
    ],
)
def test_filters(client, directory, query, expected):
    assert slugs(client, query) == expected


def test_counts(client, directory):
    counts = facet_counts(client, "")
    assert counts["availability"] == {"open": 2, "closing_soon": 2, "recurring": 1, "closed": 1}
    assert counts["beneficiary"] == {
        "association": 2,
        "local_authority": 1,
        "company": 1,
        "public_body": 0,
        "individual": 0,
    }
    assert facet_counts(client, "beneficiary=company")["availability"] == {
        "open": 0,
        "closing_soon": 0,
        "recurring": 0,
        "closed": 1,
    }


def test_ordered_by_deadline(client, directory):
    # The fund closes in 3 days, the call in 30; the closed prize has no deadline and comes last.
    assert slugs(client, "ordering=deadline") == ["fonds-communs", "appel-a-communs", "prix-ferme"]
    html = client.get("/financements/").content.decode()
    start = html.index('data-testid="closing-soon"')
    calls = html[start : html.index("</ol>", start)]
    assert calls.index("Fonds pour les communs — Vague 1") < calls.index("Appel à communs — 2030")
    assert "Appel à communs — 2023" not in calls  # a past call, listed with the past ones

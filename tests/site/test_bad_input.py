"""No query string a visitor can send makes a list page fail: every filter of every list page
takes garbage (null characters, unknown values, dates out of range) and answers 200."""

import pytest

from actors.filters import ActorFilter
from funding.filters import FundingSchemeFilter
from initiatives.filters import InitiativeFilter

pytestmark = pytest.mark.django_db

GARBAGE = ["\x00", "a\x00b", "inconnu", "9" * 30, "-1", "0001-01-01T00:00:00+14:00", "🙂", "'; DROP TABLE x; --"]
LISTS = [
    ("/initiatives/", InitiativeFilter),
    ("/acteurs/", ActorFilter),
    ("/financements/", FundingSchemeFilter),
]


@pytest.mark.parametrize("value", GARBAGE)
@pytest.mark.parametrize("url,filterset", LISTS, ids=[url for url, _ in LISTS])
def test_every_filter_takes_garbage(client, directory, url, filterset, value):
    # Every filter of the page, and the page number, at once: each is validated on its own.
    response = client.get(url, dict.fromkeys([*filterset.base_filters, "page"], value))
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_an_unknown_value_is_named_on_the_page(client, directory):
    html = client.get("/initiatives/", {"sector": "inconnu"}).content.decode()
    assert "inconnu" in html

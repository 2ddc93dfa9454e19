import re

import pytest
from django.urls import reverse

from actors.models import Actor
from funding.models import FundingScheme
from initiatives.models import Initiative


@pytest.mark.django_db
def test_home_shows_the_live_counts_of_published_entries(client):
    Initiative.objects.create(name="Decidim", slug="decidim", kind="software", publication_status="published")
    Initiative.objects.create(name="Brouillon", slug="brouillon", kind="software")  # draft: not counted
    Actor.objects.create(name="IGN", slug="ign", kind="agency", publication_status="published")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-count="initiatives">\s*1\s*<', html)
    assert re.search(r'data-count="actors">\s*1\s*<', html)
    assert re.search(r'data-count="schemes">\s*0\s*<', html)
    assert "Brouillon" not in html


def test_home_shows_the_demo_counts(client, demo_data):
    html = client.get("/").content.decode()
    for key, model in [("initiatives", Initiative), ("actors", Actor), ("schemes", FundingScheme)]:
        count = model.objects.published().count()
        assert count > 0
        assert re.search(rf'data-count="{key}">\s*{count}\s*<', html)

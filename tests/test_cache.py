"""The anonymous page cache: pages and API reads answered from the shared cache, never stale, never personal."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from communs.cache import VERSION_KEY, advance_content_version, content_version
from curation.roles import CURATOR, EDITOR, sync_roles
from initiatives.models import Initiative
from tests.curation.conftest import form_data
from tests.curation.test_suggestions import PROPOSAL
from tests.factories import PUBLISHED, make_initiative, make_token, make_user

pytestmark = pytest.mark.django_db

PAGE = "/initiatives/decidim/"
API = "/api/v1/initiatives/decidim/"


@pytest.fixture
def decidim(db):
    return make_initiative("decidim", "Decidim", summary="Participation citoyenne", publication_status=PUBLISHED)


def visitor(url, **headers):
    """A new anonymous visitor, without any cookie, as a crawler or a first visit."""
    return Client().get(url, **headers)


def staff(role):
    sync_roles()
    user = make_user(f"user-{role}", role, password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    return client, user


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(user)}")
    return client


def test_an_anonymous_page_is_served_from_the_cache_the_second_time(decidim):
    first = visitor(PAGE)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    second = visitor(PAGE)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content and "Participation citoyenne" in second.text


def test_a_cached_answer_runs_no_query(decidim):
    visitor(PAGE)
    with CaptureQueriesContext(connection) as queries:
        assert visitor(PAGE)["X-Cache"] == "hit"
    assert len(queries) == 0


def test_an_edit_in_the_admin_shows_on_the_next_request(decidim):
    assert visitor(PAGE)["X-Cache"] == "miss" and visitor(PAGE)["X-Cache"] == "hit"
    editor, _ = staff(EDITOR)
    url = reverse("admin:initiatives_initiative_change", args=[decidim.pk])
    data = form_data(editor, url)
    data["summary"] = "Plateforme de démocratie participative"
    assert editor.post(url, data).status_code == 302
    page = visitor(PAGE)
    assert page["X-Cache"] == "miss"
    assert "Plateforme de démocratie participative" in page.text and "Participation citoyenne" not in page.text


def test_publishing_in_the_admin_lists_the_entry_at_once(decidim):
    draft = make_initiative("brouillon", "Brouillon secret", publication_status="in_review")
    for _ in range(2):
        assert "Brouillon secret" not in visitor("/initiatives/").text
        assert visitor("/initiatives/brouillon/").status_code == 404
    editor, _ = staff(EDITOR)
    editor.post(reverse("admin:initiatives_initiative_transition", args=[draft.pk, "publish"]))
    assert Initiative.objects.get(slug="brouillon").publication_status == PUBLISHED
    assert "Brouillon secret" in visitor("/initiatives/").text
    assert visitor("/initiatives/brouillon/").status_code == 200


def test_an_api_write_shows_on_the_site_and_in_the_api_at_once(decidim):
    for _ in range(2):
        visitor(PAGE), visitor(API)
    assert visitor(API)["X-Cache"] == "hit"
    _, user = staff(CURATOR)
    curator = token_client(user)
    etag = curator.get(API)["ETag"]
    response = curator.patch(API, {"summary": "Résumé venu par l’API"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert visitor(API).json()["summary"] == "Résumé venu par l’API"
    assert "Résumé venu par l’API" in visitor(PAGE).text


def test_writes_that_send_no_model_signal_show_at_once(decidim):
    assert "Participation citoyenne" in visitor(PAGE).text and visitor(PAGE)["X-Cache"] == "hit"
    Initiative.objects.filter(slug="decidim").update(summary="Changé par update()")
    assert "Changé par update()" in visitor(PAGE).text
    decidim.tags.add("démocratie")  # a many-to-many row
    assert "démocratie" in visitor(PAGE).text


def test_signed_in_curators_and_tokens_never_read_or_fill_the_cache(decidim):
    make_initiative("brouillon", "Brouillon secret")  # a draft
    curator, user = staff(CURATOR)
    for _ in range(2):
        response = curator.get("/initiatives/")
        assert response.status_code == 200 and "X-Cache" not in response
    api = token_client(user)
    for _ in range(2):
        response = api.get("/api/v1/initiatives/")
        assert "X-Cache" not in response
        assert "brouillon" in {entry["slug"] for entry in response.json()["results"]}
    # The draft a token reads never reaches an anonymous client, cached or not.
    for _ in range(2):
        assert "brouillon" not in {entry["slug"] for entry in visitor("/api/v1/initiatives/").json()["results"]}
        assert visitor("/api/v1/initiatives/brouillon/").status_code == 404
    assert visitor("/api/v1/initiatives/")["X-Cache"] == "hit"


def test_a_form_page_and_its_csrf_cookie_are_never_shared(decidim):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one, page_two = first.get("/proposer/"), second.get("/proposer/")
    assert page_one["X-Cache"] == page_two["X-Cache"] == "miss"
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # Each visitor's form carries the token of its own cookie: the proposal goes through.
    response = second.post("/proposer/", {**PROPOSAL, "csrfmiddlewaretoken": str(page_two.context["csrf_token"])})
    assert response.status_code == 302


def test_the_admin_is_never_cached(decidim):
    for _ in range(2):
        response = visitor("/admin/login/")
        assert response.status_code == 200 and "X-Cache" not in response


def test_each_accepted_format_has_its_own_entry(decidim):
    as_json = visitor("/api/v1/initiatives/", HTTP_ACCEPT="application/json")
    as_csv = visitor("/api/v1/initiatives/", HTTP_ACCEPT="text/csv")
    assert as_json["Content-Type"].startswith("application/json") and as_csv["Content-Type"].startswith("text/csv")
    assert as_csv["X-Cache"] == "miss"
    again = visitor("/api/v1/initiatives/", HTTP_ACCEPT="text/csv")
    assert again["X-Cache"] == "hit" and again["Content-Type"].startswith("text/csv")
    assert visitor("/api/v1/initiatives/?page_size=1")["X-Cache"] == "miss"  # the query string is in the key


def test_a_cached_answer_still_answers_if_none_match_with_304(decidim):
    etag = visitor(API)["ETag"]
    assert visitor(API)["X-Cache"] == "hit"
    response = visitor(API, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response["X-Cache"] == "hit"


def test_cached_api_reads_still_count_against_the_rate_limit(decidim, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    responses = [visitor("/api/v1/sectors/", REMOTE_ADDR="192.0.2.44") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[1]["X-Cache"] == "hit"
    assert int(responses[3]["Retry-After"]) > 0


def test_a_lost_version_counter_never_serves_old_pages(decidim):
    visitor(PAGE)
    assert visitor(PAGE)["X-Cache"] == "hit"
    caches["default"].delete(VERSION_KEY)  # evicted, culled or cleared
    assert visitor(PAGE)["X-Cache"] == "miss"


def test_the_version_moves_again_when_the_transaction_commits(db, django_capture_on_commit_callbacks):
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        initiative = make_initiative()
        # A write moves it now, for this transaction's own reads …
        during = content_version()
        assert during > before
        Initiative.objects.filter(pk=initiative.pk).update(summary="Changé")
        # … and each write after a read moves it again.
        assert content_version() > during
        during = content_version()
    # … and once more after the commit (one callback, however many writes), for any page cached
    # meanwhile from the rows as they were before it. (The search documents, written at the
    # commit, move it too: communs/search_index.py.)
    assert callbacks.count(advance_content_version) == 1
    assert content_version() > during


def test_the_page_cache_can_be_turned_off(decidim, settings):
    settings.PAGE_CACHE_TIMEOUT = 0
    assert "X-Cache" not in visitor(PAGE) and "X-Cache" not in visitor(PAGE)


def test_a_page_with_a_csp_nonce_is_never_cached(db):
    # The API docs' inline script carries the request's nonce: each visitor needs a fresh one.
    first, second = visitor("/api/v1/docs/"), visitor("/api/v1/docs/")
    assert first.status_code == 200 and (first["X-Cache"], second["X-Cache"]) == ("miss", "miss")
    nonce = re.search(r"nonce-([^']+)'", second["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in second.content.decode()
    assert nonce not in first["Content-Security-Policy"]


def test_the_site_answers_uncached_when_the_cache_is_down(decidim, settings, caplog):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    settings.CACHES = {"default": down, "pages": down}
    page = visitor(PAGE)
    assert page.status_code == 200 and "X-Cache" not in page and "Decidim" in page.content.decode()
    decidim.name = "Decidim 2"
    decidim.save()  # the content version cannot move: the write still succeeds
    assert "Decidim 2" in visitor(PAGE).content.decode()
    assert "page cache unavailable" in caplog.text and "content version could not move on" in caplog.text


def test_a_page_cached_yesterday_is_rendered_afresh_today(decidim, monkeypatch):
    # Pages say what is open today (funding availability, deadlines): midnight changes them
    # without any write to the directory.
    assert visitor(PAGE)["X-Cache"] == "miss"
    assert visitor(PAGE)["X-Cache"] == "hit"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert visitor(PAGE)["X-Cache"] == "miss"
    assert visitor(PAGE)["X-Cache"] == "hit"

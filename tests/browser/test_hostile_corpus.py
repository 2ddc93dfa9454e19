"""The hostile-input corpus (tests/hostile_corpus.py) through every public form, search box, list
filter and API write; then, published, through the pages a visitor and a curator open in Chromium.

No answer may be a 5xx; a refusal is a 400 (problem+json from the API, the form with its errors on
the site) and stores nothing; what was accepted is shown as text, and no script of it runs.
"""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from actors.filters import ActorFilter
from actors.models import Actor
from communs.text import clean_text
from curation.models import Suggestion
from funding.filters import FundingSchemeFilter
from funding.models import FundingScheme
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative, Involvement
from tests.factories import PUBLISHED, make_actor, make_initiative, make_scheme, make_token, make_user
from tests.hostile_corpus import CORPUS, IDS, LIVE_PAYLOAD_JS, UNSTORABLE, form_body

PROBLEM = "application/problem+json"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _limits_out_of_the_way(settings):
    # The corpus sends many suggestions and API writes from one address: no quota may refuse them.
    settings.CURATION_SUGGESTION_RATE = (100_000, 3600)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    cache.clear()


# --- The public forms, search boxes and filters (test client) ---------------------------------


def _post_form(client, url, data):
    return client.post(url, form_body(data.items()), content_type=FORM)


def _assert_refused_or_taken(response, before, kind):
    assert response.status_code < 500, response.status_code
    after = Suggestion.objects.filter(kind=kind).count()
    if response.status_code == 302:
        assert after == before + 1
    else:
        # Refused (400 with the form's errors, 413 too large), or shown possible duplicates: nothing stored.
        assert response.status_code in (200, 400, 413), response.status_code
        assert after == before
        if response.status_code == 400:
            assert response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("value", [v for _, v in CORPUS], ids=IDS)
def test_the_suggestion_forms_refuse_or_store_hostile_values(client, value):
    initiative = make_initiative("cible", publication_status=PUBLISHED)
    text_fields = {"name": value, "acronym": value, "summary": value, "message": value, "submitter_name": value}
    for url, kind, extra in [
        ("/proposer/", Suggestion.Kind.NEW, {"kind_of_initiative": "software", "confirm_not_duplicate": "on"}),
        (f"/initiatives/{initiative.slug}/signaler/", Suggestion.Kind.CORRECTION, {}),
    ]:
        before = Suggestion.objects.filter(kind=kind).count()
        _assert_refused_or_taken(_post_form(client, url, {**text_fields, **extra}), before, kind)
        before = Suggestion.objects.filter(kind=kind).count()
        links = {"message": "Lien", "website": value, "repository_url": value, "submitter_email": value, **extra}
        response = _post_form(client, url, links)
        _assert_refused_or_taken(response, before, kind)
        if response.status_code == 302:
            stored = Suggestion.objects.filter(kind=kind).latest("pk")
            assert not stored.website.lower().startswith(("javascript:", "data:"))
    for suggestion in Suggestion.objects.all():
        assert "\x00" not in suggestion.message


LISTS = [
    ("/initiatives/", "/api/v1/initiatives/", InitiativeFilter),
    ("/acteurs/", "/api/v1/actors/", ActorFilter),
    ("/financements/", "/api/v1/funding-schemes/", FundingSchemeFilter),
]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [v for _, v in CORPUS], ids=IDS)
def test_search_and_every_filter_take_hostile_values(client, value):
    api = APIClient()
    for page, endpoint, filterset in LISTS:
        names = ["q", *filterset.base_filters, "page"]
        for params in ([("q", value)], [(name, value) for name in names]):
            response = client.get(f"{page}?{form_body(params)}")
            assert response.status_code == 200, (page, response.status_code)
            html = response.content.decode()
            if "<" in value:
                assert value not in html, "a search reflected unescaped"
            response = api.get(f"{endpoint}?{form_body(params)}")
            assert response.status_code in (200, 400), (endpoint, response.status_code)
            if response.status_code == 400:
                assert response["Content-Type"] == PROBLEM


# --- API writes with an editor's token (test client) ------------------------------------------

STRING_FIELDS = {
    "initiatives": {
        "text": ["name", "acronym", "summary", "description", "contact_point", "how_to_contribute", "licence"],
        "other": ["website", "repository_url", "documentation_url", "logo_url", "software_heritage_url",
                  "governance_url", "contributing_url", "wikidata_qid", "sill_id", "launch_year"],
        "lists": ["aliases", "tags"],
    },
    "actors": {"text": ["name", "acronym", "description"], "other": ["website", "siren", "siret", "wikidata_qid"]},
    "funding-schemes": {
        "text": ["name", "summary", "description"],
        "other": ["website", "amount_min", "amount_max", "total_budget"],
    },
    "involvements": {"text": ["note"], "other": ["since", "until", "role"]},
}  # fmt: skip
MODELS = {"initiatives": Initiative, "actors": Actor, "funding-schemes": FundingScheme, "involvements": Involvement}


@pytest.fixture
def editor_api(db):
    from curation.roles import EDITOR, sync_roles

    sync_roles()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(make_user('editrice', EDITOR))}")
    return client


def _send(client, method, url, body, etag=None):
    extra = {"HTTP_IF_MATCH": etag} if etag else {}
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **extra)


def _assert_clean_answer(response, model, count_before, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response.status_code == 400, (what, response.status_code)
        assert response["Content-Type"] == PROBLEM, what
        assert model.objects.count() == count_before, what


def _samples(value):
    """The values of each field in a write: the payload itself and, for the short string fields, a
    piece that fits (so that the field's own checks, not only its length, are tried)."""
    return [value] if len(value) <= 40 else [value, value[:40]]


@pytest.mark.parametrize("name,value", CORPUS, ids=IDS)
def test_api_writes_refuse_or_store_hostile_values(editor_api, name, value):
    initiative = make_initiative("base-initiative")
    actor = make_actor("base-acteur")
    scheme = make_scheme("base-dispositif")
    involvement = Involvement.objects.create(initiative=initiative, actor=actor, role="carrier")
    targets = {
        "initiatives": initiative.slug,
        "actors": actor.slug,
        "funding-schemes": scheme.slug,
        "involvements": involvement.pk,
    }
    creations = {
        "initiatives": {"slug": "nouvelle", "kind": "software", "sources": [{"document": value, "note": value}]},
        "actors": {"slug": "nouvel-acteur", "kind": "state", "sources": [{"document": value, "url": value}]},
        "funding-schemes": {"slug": "nouveau", "kind": "fund"},
        "involvements": {"initiative": initiative.slug, "actor": actor.slug, "role": "user"},
    }
    for endpoint, fields in STRING_FIELDS.items():
        model = MODELS[endpoint]
        for sample in _samples(value):
            body = {**creations[endpoint], **dict.fromkeys(fields["text"], sample)}
            body.update({field: [sample] for field in fields.get("lists", [])})
            before = model.objects.count()
            response = _send(editor_api, "post", f"/api/v1/{endpoint}/", body)
            _assert_clean_answer(response, model, before, (endpoint, "POST"))
            if response.status_code == 201:
                assert name not in UNSTORABLE, f"{endpoint} stored {name}"
                created = model.objects.order_by("pk").last()
                # Stored as every text is (communs/text.py): line breaks as newlines, no control character.
                assert getattr(created, fields["text"][-1]) == clean_text(sample).strip()
                _send(editor_api, "delete", response["Location"], None, response["ETag"])
                created.delete()
        url = f"/api/v1/{endpoint}/{targets[endpoint]}/"
        # The text fields went in together above; the others one by one, as each has its own checks.
        etag = editor_api.get(url)["ETag"]
        for field in fields["other"] + fields.get("lists", []) + ["sources"]:
            for sample in _samples(value):
                if field in fields.get("lists", []):
                    sent = [sample]
                elif field == "sources":
                    sent = [{"document": sample, "url": sample, "note": sample}]
                else:
                    sent = sample
                response = _send(editor_api, "patch", url, {field: sent}, etag)
                _assert_clean_answer(response, model, model.objects.count(), (endpoint, field))
                if response.status_code == 400:
                    # Nothing changed: the entry's version is the one it had.
                    assert editor_api.get(url)["ETag"] == etag, f"{endpoint}.{field}: a refused write changed it"
                    continue
                etag = response["ETag"]
                assert name not in UNSTORABLE, f"{endpoint}.{field} stored {name}"
                if field == "sources":
                    stored = str(response.json()["sources"][0].get("url", ""))
                else:
                    stored = str(response.json().get(field, "")) if "url" in field or field == "website" else ""
                assert not stored.strip().lower().startswith(("javascript:", "data:")), f"{endpoint}.{field}: {name}"


# --- Published, in Chromium -------------------------------------------------------------------

# Console errors a page may show without any payload running: an <img> of the corpus kept as text
# never loads, but a Markdown image (kept, its URL cleaned) may fail to load.
EXPECTED_CONSOLE = ("Failed to load resource",)


def _fit(value, length):
    return value.strip()[:length].strip() or "x"


def _publishable():
    """The payloads a write can store (the others are refused, tested above), the 50 kB one aside
    for the short fields."""
    return [(name, value) for name, value in CORPUS if name not in UNSTORABLE]


def _build_hostile_directory():
    payloads = _publishable()
    markdown = "\n\n".join(value for _name, value in payloads if len(value) < 6000)
    entries = []
    for i, (_name, value) in enumerate(payloads):
        # Each payload is the name (and every short field) of one entry; every description holds
        # them all at once, the Markdown ones included.
        short = {"acronym": _fit(value, 50), "summary": _fit(value, 200)}
        initiative = make_initiative(
            f"hostile-{i}", _fit(value, 200), publication_status=PUBLISHED, description=markdown + "\n\n" + value,
            how_to_contribute=value, contact_point=_fit(value, 300), aliases=_fit(value, 200).replace("\n", " "),
            **short,
        )  # fmt: skip
        if i % 5:
            continue
        actor = make_actor(
            f"acteur-hostile-{i}", _fit(value, 200), acronym=short["acronym"], publication_status=PUBLISHED,
            description=markdown,
        )  # fmt: skip
        scheme = make_scheme(
            f"dispositif-hostile-{i}", _fit(value, 200), summary=short["summary"], publication_status=PUBLISHED,
            description=markdown,
        )  # fmt: skip
        scheme.operators.add(actor)
        Involvement.objects.create(initiative=initiative, actor=actor, role="carrier", note=value)
        entries.append((initiative, actor, scheme))
    return entries


def _visit(page, url, problems):
    response = page.goto(url)
    assert response.status < 500, (url, response.status)
    if page.evaluate("typeof window.__pwned") != "undefined":
        problems.append((url, "ran", page.evaluate("window.__pwned")))
    live = page.evaluate(LIVE_PAYLOAD_JS)
    if live:
        problems.append((url, "live in the page", live[:3]))


@pytest.mark.browser
def test_published_hostile_entries_run_nothing_in_chromium(page, live_server, transactional_db):
    entries = _build_hostile_directory()
    problems, dialogs, console = [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: msg.type == "error" and console.append((page.url, msg.text)))
    page.on("pageerror", lambda error: console.append((page.url, str(error))))

    urls = ["/", "/initiatives/", "/acteurs/", "/financements/", "/initiatives/?q=script", "/acteurs/?q=pwned"]
    urls += [f"/initiatives/{slug}/" for slug in Initiative.objects.values_list("slug", flat=True)]
    for initiative, actor, scheme in entries:
        urls += [
            f"/acteurs/{actor.slug}/",
            f"/financements/{scheme.slug}/",
            f"/initiatives/{initiative.slug}/historique/",
        ]
        urls += [f"/initiatives/?q={initiative.name[:30]}", f"/financements/?q={scheme.name[:30]}"]
    for url in urls:
        _visit(page, url, problems)

    # The admin's change pages, as a curator sees them.
    from curation.roles import CURATOR, sync_roles

    sync_roles()
    curator = make_user("curatrice-hostile", CURATOR, is_staff=True, password="x")
    client = Client()
    client.force_login(curator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for initiative, actor, scheme in entries:
        for url in [
            f"/admin/initiatives/initiative/{initiative.pk}/change/",
            f"/admin/actors/actor/{actor.pk}/change/",
            f"/admin/funding/fundingscheme/{scheme.pk}/change/",
        ]:
            _visit(page, url, problems)
            assert "/login/" not in page.url
    _visit(page, "/admin/initiatives/initiative/?q=script", problems)

    assert problems == []
    assert dialogs == []
    unexpected = [(url, text) for url, text in console if not text.startswith(EXPECTED_CONSOLE)]
    assert unexpected == []

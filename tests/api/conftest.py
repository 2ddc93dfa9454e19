import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from communs.models import Source
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import CriterionAssessment, Involvement, Sector
from territories.models import Territory
from tests.factories import PUBLISHED, make_actor, make_initiative, make_token, make_user
from tests.sharing import shared_per_module

HIGH_RATES = {"anon": "100000/minute", "user": "100000/minute"}


@pytest.fixture(autouse=True)
def _api_rate_limits_out_of_the_way(settings):
    # Each test starts with empty throttle counters and rates no test reaches; the throttling tests
    # set their own low rates. A private in-memory cache, so that clearing it never touches a
    # shared Redis (REDIS_URL) that another run may be using.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-tests"}}
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": HIGH_RATES}
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(user)}")
    return client


@pytest.fixture
def no_rights_user(db):
    return make_user("lecteur", password="x")


def user_with_role(username, role):
    from curation.roles import sync_roles

    sync_roles()
    return make_user(username, role, password="x")


@pytest.fixture
def curator(db):
    """A curator (the admin's "Curateur" role): edits entries, cannot publish or archive."""
    from curation.roles import CURATOR

    return user_with_role("curatrice", CURATOR)


@pytest.fixture
def editor(db):
    """An editor ("Éditeur"): a curator who may also publish and archive."""
    from curation.roles import EDITOR

    return user_with_role("editeur", EDITOR)


@pytest.fixture
def reader_client(no_rights_user):
    return token_client(no_rights_user)


@pytest.fixture
def curator_client(curator):
    return token_client(curator)


@pytest.fixture
def editor_client(editor):
    return token_client(editor)


def build_directory():
    """A small directory with every kind of entry, published and not."""
    geodata = Sector.objects.create(name="Géodonnées", slug="geodonnees")
    participation = Sector.objects.create(name="Participation citoyenne", slug="participation")
    france = Territory.objects.create(code="fr", kind="country", name="France")
    brittany = Territory.objects.create(
        code="reg-53", kind="region", name="Bretagne", official_code="53", parent=france
    )
    ign = make_actor(
        "ign",
        "Institut national de l'information géographique et forestière",
        acronym="IGN",
        kind="agency",
        publication_status=PUBLISHED,
    )
    dinum = make_actor(
        "dinum",
        "Direction interministérielle du numérique",
        acronym="DINUM",
        kind="state",
        publication_status=PUBLISHED,
    )
    brest = make_actor(
        "ville-de-brest", "Ville de Brest", kind="local_authority", territory=brittany, publication_status=PUBLISHED
    )
    secret = make_actor("acteur-brouillon", "Acteur brouillon", kind="agency", publication_status="draft")

    ban = make_initiative(
        "base-adresse-nationale",
        "Base Adresse Nationale",
        acronym="BAN",
        kind="data",
        publication_status=PUBLISHED,
        summary="La base de référence des adresses",
        development_status="mature",
        licence="etalab-2.0",
        territorial_scope="national",
        launch_year=2015,
        logic_public_action=True,
        contact_point="adresse@data.gouv.fr",
        contributing_url="https://adresse.data.gouv.fr/contribuer",
    )
    ban.sectors.add(geodata)
    ban.territories.add(france)
    ban.tags.add("adresses", "référentiel")
    decidim = make_initiative(
        "decidim",
        "Decidim",
        kind="software",
        publication_status=PUBLISHED,
        development_status="stable",
        licence="AGPL-3.0-or-later",
        territorial_scope="local",
        logic_free_software=True,
        description='Plateforme de participation, "libre"; avec des virgules, et\nune nouvelle ligne.',
    )
    decidim.sectors.add(participation)
    decidim.territories.add(brittany)
    decidim.tags.add("participation")
    fabmob_article = Source.objects.create(
        key="fabmob-2024",
        title="Les communs numériques en vogue",
        publisher="La Fabrique des Mobilités",
        date="2024-07-19",
    )
    geocommuns = make_initiative(
        "fabrique-des-geocommuns",
        "Fabrique des géocommuns",
        kind="programme",
        publication_status=PUBLISHED,
        development_status="beta",
        territorial_scope="national",
        sources=[{"source": fabmob_article.key, "url": "https://example.org/source", "note": "IGN, 2022"}],
    )
    geocommuns.sectors.add(geodata)
    draft = make_initiative("brouillon-secret", "Brouillon secret", publication_status="draft")
    draft.tags.add("étiquette-secrète")

    Involvement.objects.create(initiative=ban, actor=ign, role="carrier")
    Involvement.objects.create(initiative=ban, actor=dinum, role="funder")
    Involvement.objects.create(initiative=ban, actor=secret, role="user")
    Involvement.objects.create(initiative=decidim, actor=brest, role="user")
    Involvement.objects.create(initiative=geocommuns, actor=ign, role="carrier")
    CriterionAssessment.objects.create(
        initiative=ban,
        criterion="open_licence",
        status="met",
        evidence_url="https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    )

    ademe = make_actor("ademe", "ADEME", kind="agency", publication_status=PUBLISHED)
    call = FundingScheme.objects.create(
        name="Appel à communs de l'ADEME",
        slug="appel-a-communs-ademe",
        kind="call_for_commons",
        status="closed",
        publication_status="published",
        eligible_association=True,
        eligible_company=True,
    )
    call.operators.add(ademe)
    call.sectors.add(geodata)
    edition = FundingEdition.objects.create(scheme=call, label="2023", year=2023, laureates_count=2)
    Award.objects.create(edition=edition, initiative=geocommuns, amount="50000.00")
    Award.objects.create(edition=edition, initiative=draft)
    FundingScheme.objects.create(name="Fonds caché", slug="fonds-cache", kind="fund")
    return {
        "ban": ban,
        "decidim": decidim,
        "geocommuns": geocommuns,
        "draft": draft,
        "ign": ign,
        "dinum": dinum,
        "brest": brest,
        "secret": secret,
        "ademe": ademe,
        "call": call,
        "edition": edition,
        "geodata": geodata,
        "france": france,
        "brittany": brittany,
    }


_directory = shared_per_module(build_directory)


@pytest.fixture
def directory(db, _directory):
    """The small directory, built once per module (see tests/sharing.py); a test's changes are undone after it."""
    return _directory.get()

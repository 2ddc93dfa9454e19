"""A small directory built by the tests themselves: known names, known counts."""

import datetime

import pytest
from django.utils import timezone

from actors.models import Actor
from communs.models import Source
from funding.models import Award, FundingEdition, FundingScheme
from initiatives.models import CriterionAssessment, Involvement, Sector
from territories.models import Territory
from tests.factories import PUBLISHED, make_initiative
from tests.sharing import shared_per_module


def build_directory():
    """Four published initiatives, one draft, five actors, three schemes."""
    today = timezone.localdate()
    geodata = Sector.objects.create(name="Géodonnées", slug="geodonnees")
    participation = Sector.objects.create(name="Participation citoyenne", slug="participation-citoyenne")
    tools = Sector.objects.create(name="Outils de l'administration", slug="outils-administration")
    france = Territory.objects.create(code="fr", kind="country", name="France")
    bretagne = Territory.objects.create(
        code="reg-53", kind="region", name="Bretagne", official_code="53", parent=france
    )
    brest = Territory.objects.create(
        code="com-29019", kind="commune", name="Brest", official_code="29019", parent=bretagne
    )

    ign = Actor.objects.create(
        name="Institut national de l'information géographique et forestière",
        acronym="IGN",
        slug="ign",
        kind="agency",
        publication_status=PUBLISHED,
        description="Opérateur public de la géographie.",
    )
    dinum = Actor.objects.create(
        name="Direction interministérielle du numérique",
        acronym="DINUM",
        slug="dinum",
        kind="state",
        publication_status=PUBLISHED,
    )
    etalab = Actor.objects.create(
        name="Etalab", slug="etalab", kind="state", parent=dinum, publication_status=PUBLISHED
    )
    ademe = Actor.objects.create(
        name="Agence de la transition écologique",
        acronym="ADEME",
        slug="ademe",
        kind="agency",
        publication_status=PUBLISHED,
    )
    brest_city = Actor.objects.create(
        name="Ville de Brest",
        slug="ville-de-brest",
        kind="local_authority",
        territory=brest,
        publication_status=PUBLISHED,
    )
    draft_actor = Actor.objects.create(name="Acteur en brouillon", slug="acteur-brouillon", kind="company")

    fabmob_article = Source.objects.create(
        key="fabmob-2024",
        title="Les communs numériques en vogue",
        publisher="La Fabrique des Mobilités",
        date="2024-07-19",
    )
    fabrique = make_initiative(
        "fabrique-des-geocommuns",
        "Fabrique des géocommuns",
        publication_status=PUBLISHED,
        kind="programme",
        summary="Incubateur de communs de données géographiques",
        description="## Objectifs\n\nFaire naître des **communs** géographiques.",
        development_status="stable",
        sectors=[geodata],
        territories=[france],
        tags=["cartographie"],
        contact_point="contact@example.org",
        governance_url="https://example.org/gouvernance",
        contributing_url="https://example.org/contribuer",
        how_to_contribute="Rejoignez les ateliers.",
        sources=[{"source": fabmob_article.key, "url": "https://example.org/source", "note": "IGN, 2022"}],
        launch_year=2022,
    )
    ban = make_initiative(
        "base-adresse-nationale",
        "Base Adresse Nationale",
        publication_status=PUBLISHED,
        kind="data",
        acronym="BAN",
        summary="Le référentiel des adresses",
        development_status="mature",
        sectors=[geodata],
        territories=[france],
        tags=["cartographie", "adresses"],
    )
    decidim = make_initiative(
        "decidim",
        "Decidim",
        publication_status=PUBLISHED,
        kind="software",
        summary="Plateforme de participation citoyenne",
        development_status="mature",
        sectors=[participation],
        territories=[brest],
        tags=["participation"],
    )
    sill = make_initiative(
        "sill",
        "Socle interministériel de logiciels libres",
        publication_status=PUBLISHED,
        kind="standard",
        acronym="SILL",
        description="Le catalogue des logiciels libres recommandés.",
        sectors=[tools],
    )
    draft = make_initiative(
        "commun-en-brouillon",
        "Commun en brouillon",
        kind="software",
        publication_status="draft",
        sectors=[geodata],
        tags=["cartographie"],
    )

    Involvement.objects.create(initiative=fabrique, actor=ign, role="carrier", since=2022)
    Involvement.objects.create(initiative=fabrique, actor=dinum, role="funder")
    Involvement.objects.create(initiative=ban, actor=ign, role="carrier")
    Involvement.objects.create(initiative=ban, actor=dinum, role="user")
    Involvement.objects.create(initiative=decidim, actor=brest_city, role="user")
    Involvement.objects.create(initiative=sill, actor=dinum, role="carrier")
    Involvement.objects.create(initiative=sill, actor=etalab, role="maintainer")
    Involvement.objects.create(initiative=fabrique, actor=draft_actor, role="contributor")
    Involvement.objects.create(initiative=draft, actor=ign, role="carrier")

    CriterionAssessment.objects.create(
        initiative=fabrique, criterion="open_licence", status="met", evidence_url="https://example.org/licence"
    )
    CriterionAssessment.objects.create(initiative=fabrique, criterion="shared_governance", status="partial")

    call = FundingScheme.objects.create(
        name="Appel à communs",
        slug="appel-a-communs",
        kind="call_for_commons",
        status="recurring",
        summary="Des communs pour la transition écologique",
        eligible_association=True,
        eligible_local_authority=True,
        amount_max=100000,
        publication_status=PUBLISHED,
    )
    call.operators.set([ademe])
    call.sectors.set([geodata])
    edition_past = FundingEdition.objects.create(
        scheme=call,
        label="2023",
        year=2023,
        budget=1000000,
        laureates_count=20,
        opens_on=datetime.date(2023, 1, 1),
        closes_on=datetime.date(2023, 3, 1),
    )
    FundingEdition.objects.create(
        scheme=call,
        label="2030",
        year=2030,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=30),
        applicants_count=80,
        applicants_count_is_minimum=True,
    )
    Award.objects.create(edition=edition_past, initiative=fabrique, amount=50000)
    prize = FundingScheme.objects.create(
        name="Prix des communs fermé",
        slug="prix-ferme",
        kind="prize",
        status="closed",
        eligible_company=True,
        publication_status=PUBLISHED,
        territory=bretagne,
    )
    prize.operators.set([dinum])
    soon = FundingScheme.objects.create(
        name="Fonds pour les communs",
        slug="fonds-communs",
        kind="fund",
        status="open",
        eligible_association=True,
        publication_status=PUBLISHED,
    )
    FundingEdition.objects.create(
        scheme=soon,
        label="Vague 1",
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=3),
    )
    FundingScheme.objects.create(name="Dispositif en brouillon", slug="dispositif-brouillon", kind="grant")
    return {
        "sectors": {"geodata": geodata, "participation": participation, "tools": tools},
        "territories": {"france": france, "bretagne": bretagne, "brest": brest},
        "actors": {"ign": ign, "dinum": dinum, "etalab": etalab, "ademe": ademe, "brest": brest_city},
        "initiatives": {"fabrique": fabrique, "ban": ban, "decidim": decidim, "sill": sill, "draft": draft},
        "schemes": {"call": call, "prize": prize, "fund": soon},
    }


_directory = shared_per_module(build_directory)


@pytest.fixture
def directory(db, _directory):
    """The small directory, built once per module (see tests/sharing.py); a test's changes are undone after it."""
    return _directory.get()

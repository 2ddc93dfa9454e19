"""Bad values are refused with a clear message: by validation (admin, API, imports) and by the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actors.models import Actor
from communs.validators import normalize_spdx, validate_siren, validate_siret
from funding.models import FundingEdition, FundingScheme
from initiatives.models import Initiative, Involvement, Sector
from territories.models import Territory
from tests.factories import make_actor, make_initiative

pytestmark = pytest.mark.django_db


def make_decidim(**fields):
    return make_initiative("decidim", "Decidim", **fields)


def make_anct(**fields):
    return make_actor(
        "anct", "Agence nationale de la cohésion des territoires", **{"kind": Actor.Kind.AGENCY, **fields}
    )


class TestSiren:
    def test_valid_siren_and_siret_pass(self):
        validate_siren("217500016")  # Paris
        validate_siret("21750001600019")

    def test_bad_checksum_is_refused_with_its_reason(self):
        with pytest.raises(ValidationError) as error:
            validate_siren("217500017")
        assert "clé de contrôle" in error.value.messages[0]
        assert "217500017" in error.value.messages[0]

    def test_wrong_length_is_refused(self):
        with pytest.raises(ValidationError) as error:
            validate_siren("12345")
        assert "9 chiffres" in error.value.messages[0]

    def test_la_poste_siret_follows_its_own_rule(self):
        # Built to INSEE's rule for SIREN 356000000: digit sum 15, a multiple of 5, yet not a Luhn number.
        validate_siret("35600000000001")
        with pytest.raises(ValidationError):
            validate_siret("35600000000002")  # digit sum 16

    @pytest.mark.parametrize("siret", ["35600000000048", "35600000000001", "21750001600019"])
    def test_actor_full_clean_accepts_valid_sirets_la_poste_head_office_included(self, siret):
        # La Poste's head office keeps the Luhn key; its other establishments follow INSEE's rule.
        actor = Actor(name="La Poste", slug="la-poste", kind=Actor.Kind.COMPANY, siren=siret[:9], siret=siret)
        actor.full_clean()

    @pytest.mark.parametrize("siret", ["35600000000002", "35600000000049", "21750001600018"])
    def test_actor_full_clean_refuses_a_bad_siret_key(self, siret):
        actor = Actor(name="La Poste", slug="la-poste", kind=Actor.Kind.COMPANY, siren=siret[:9], siret=siret)
        with pytest.raises(ValidationError) as error:
            actor.full_clean()
        assert error.value.message_dict["siret"] == [
            f"Le SIRET « {siret} » est invalide : sa clé de contrôle ne correspond pas."
        ]

    def test_actor_full_clean_names_the_field(self):
        actor = Actor(name="Ville de Brest", slug="ville-de-brest", kind=Actor.Kind.LOCAL_AUTHORITY, siren="212900194")
        with pytest.raises(ValidationError) as error:
            actor.full_clean()
        assert "siren" in error.value.message_dict
        assert "Luhn" in error.value.message_dict["siren"][0]

    def test_database_refuses_a_malformed_siren(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_anct(siren="ABC")


class TestSpdx:
    @pytest.mark.parametrize(
        "expression, normalized",
        [
            ("MIT", "MIT"),
            ("agpl-3.0", "AGPL-3.0-only"),
            ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
            ("Etalab-2.0", "etalab-2.0"),
            ("LicenseRef-Licence-Ouverte", "LicenseRef-Licence-Ouverte"),
        ],
    )
    def test_valid_expressions_are_normalized(self, expression, normalized):
        assert normalize_spdx(expression) == normalized

    @pytest.mark.parametrize("expression", ["Licence libre", "MIT AND", "(MIT", "GPL-9.0"])
    def test_invalid_expressions_are_refused(self, expression):
        with pytest.raises(ValidationError) as error:
            normalize_spdx(expression)
        assert "SPDX" in error.value.messages[0]

    def test_initiative_clean_refuses_bad_licence_and_normalizes_good_one(self):
        initiative = Initiative(name="Pix", slug="pix", kind=Initiative.Kind.PLATFORM, licence="Licence libre")
        with pytest.raises(ValidationError) as error:
            initiative.full_clean()
        assert "licence" in error.value.message_dict
        initiative.licence = "agpl-3.0"
        initiative.full_clean()
        assert initiative.licence == "AGPL-3.0-only"


class TestInvolvementYears:
    def test_until_before_since_is_refused_by_clean(self):
        involvement = Involvement(
            initiative=make_decidim(), actor=make_anct(), role=Involvement.Role.FUNDER, since=2020, until=2019
        )
        with pytest.raises(ValidationError) as error:
            involvement.full_clean()
        assert "until" in error.value.message_dict

    def test_until_before_since_is_refused_by_the_database(self):
        initiative, actor = make_decidim(), make_anct()
        with pytest.raises(IntegrityError), transaction.atomic():
            Involvement.objects.create(initiative=initiative, actor=actor, role="funder", since=2020, until=2019)
        assert not Involvement.objects.exists()

    def test_same_actor_may_hold_two_roles_but_not_the_same_twice(self):
        initiative, actor = make_decidim(), make_anct()
        Involvement.objects.create(initiative=initiative, actor=actor, role="funder")
        Involvement.objects.create(initiative=initiative, actor=actor, role="user")
        with pytest.raises(IntegrityError), transaction.atomic():
            Involvement.objects.create(initiative=initiative, actor=actor, role="funder")
        assert Involvement.objects.count() == 2

    def test_unknown_role_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Involvement.objects.create(initiative=make_decidim(), actor=make_anct(), role="owner")


class TestAmounts:
    def test_negative_budget_is_refused_by_clean(self):
        scheme = FundingScheme(
            name="Appel à communs", slug="appel-a-communs", kind="call_for_commons", total_budget=Decimal("-1")
        )
        with pytest.raises(ValidationError) as error:
            scheme.full_clean()
        assert error.value.message_dict["total_budget"] == ["Un montant ne peut pas être négatif."]

    def test_negative_amount_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingScheme.objects.create(name="X", slug="x", kind="fund", amount_min=Decimal("-5"))

    def test_max_below_min_is_refused(self):
        scheme = FundingScheme(name="X", slug="x", kind="fund", amount_min=Decimal(10), amount_max=Decimal(5))
        with pytest.raises(ValidationError) as error:
            scheme.full_clean()
        assert "amount_max" in error.value.message_dict

    def test_edition_closing_before_opening_is_refused(self):
        scheme = FundingScheme.objects.create(name="X", slug="x", kind="fund")
        edition = FundingEdition(scheme=scheme, label="2024", opens_on="2024-03-01", closes_on="2024-02-01")
        with pytest.raises(ValidationError) as error:
            edition.full_clean()
        assert "closes_on" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            edition.save()


class TestSlugs:
    def test_duplicate_slug_is_refused_with_a_message(self):
        make_decidim()
        duplicate = Initiative(name="Decidim bis", slug="decidim", kind=Initiative.Kind.SOFTWARE)
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert "slug" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()

    def test_duplicate_sector_slug_is_refused(self):
        Sector.objects.create(name="Mobilité", slug="mobilite")
        with pytest.raises(IntegrityError), transaction.atomic():
            Sector.objects.create(name="Mobilités", slug="mobilite")


class TestChoices:
    def test_unknown_kind_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_decidim(kind="spaceship")

    def test_unknown_publication_status_is_refused_by_the_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_decidim(publication_status="secret")

    def test_sources_must_name_a_document_or_url(self):
        initiative = Initiative(name="Pix", slug="pix", kind="platform", sources=[{"note": "?"}])
        with pytest.raises(ValidationError) as error:
            initiative.full_clean()
        assert "Source n° 1" in error.value.message_dict["sources"][0]


class TestActorHierarchy:
    def test_parent_cycle_is_refused(self):
        dinum = make_actor("dinum", "DINUM", kind="state")
        etalab = make_actor("etalab", "Etalab", kind="state", parent=dinum)
        dinum.parent = etalab
        with pytest.raises(ValidationError) as error:
            dinum.full_clean()
        assert "boucle" in error.value.message_dict["parent"][0]


class TestEpciMembership:
    @pytest.fixture
    def places(self):
        finistere = Territory.objects.create(code="dep-29", kind="departement", name="Finistère")
        metropole = Territory.objects.create(code="epci-242900314", kind="epci", name="Brest Métropole")
        return finistere, metropole

    def test_only_a_commune_may_be_a_member_by_clean_and_by_the_database(self, places):
        finistere, metropole = places
        finistere.epci = metropole
        with pytest.raises(ValidationError) as error:
            finistere.full_clean()
        assert error.value.message_dict["epci"] == ["Seule une commune est membre d'un EPCI."]
        with pytest.raises(IntegrityError), transaction.atomic():
            Territory.objects.filter(pk=finistere.pk).update(epci=metropole)

    def test_a_commune_is_a_member_of_an_epci_not_of_another_place(self, places):
        finistere, metropole = places
        brest = Territory(code="com-29019", kind="commune", name="Brest", parent=finistere, epci=finistere)
        with pytest.raises(ValidationError) as error:
            brest.full_clean()
        assert "Choisissez une intercommunalité (EPCI)." in error.value.message_dict["epci"]
        brest.epci = metropole
        brest.full_clean()

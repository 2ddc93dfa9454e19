"""An initiative's public fields are declared once (Initiative.public_fields): the API, its CSV
export, the API's writes, the admin's file import and export, and the harvest of another instance
all list them, in that order. Each is read here through its own interface."""

import pytest
from rest_framework.test import APIClient

from catalogues.harvest import INITIATIVE_READ_APART, initiative_fields
from initiatives.models import Initiative
from initiatives.resources import InitiativeResource
from initiatives.serializers import InitiativeWriteSerializer
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

PUBLIC = list(Initiative.public_fields)


def in_declared_order(names):
    """The public fields among `names`, in the order `names` gives them."""
    return [name for name in names if name in PUBLIC]


def test_every_public_field_is_a_field_or_a_list_of_the_model():
    for name in PUBLIC:
        assert hasattr(Initiative, name) or name == "aliases", name
    assert Initiative.alias_list is not None  # "aliases": the stored lines, a list in the API


def test_the_api_and_its_csv_give_every_public_field_in_order():
    make_initiative("fabrique", publication_status="published")
    api = APIClient()
    entry = api.get("/api/v1/initiatives/fabrique/").json()
    assert in_declared_order(entry) == PUBLIC
    header = api.get("/api/v1/initiatives/?format=csv").content.decode("utf-8-sig").splitlines()[0].split(",")
    assert in_declared_order(header) == PUBLIC


def test_api_writes_take_every_public_field_but_the_workflows():
    writable = in_declared_order(InitiativeWriteSerializer().fields)
    assert writable == [name for name in PUBLIC if name not in Initiative.workflow_fields]


def test_the_file_import_and_export_has_a_column_for_every_public_field_in_order():
    headers = InitiativeResource().export().headers
    logics = [f"logic_{code}" for code in Initiative.Logic.values]
    expected = [column for name in PUBLIC if name != "tags" for column in (logics if name == "logics" else [name])]
    assert [header for header in headers if header in expected] == expected
    assert "tags" not in headers  # tags are edited in the admin's form, not through files


def test_the_harvest_reads_every_public_field():
    copied = initiative_fields(Initiative)
    assert in_declared_order(copied) == [name for name in PUBLIC if name not in INITIATIVE_READ_APART]
    assert set(copied) | set(INITIATIVE_READ_APART) == set(PUBLIC)
    for name in copied:  # copied as given: each is a column of the model
        assert Initiative._meta.get_field(name).concrete, name

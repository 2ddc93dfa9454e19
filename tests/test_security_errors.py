"""Error reports: a 500 is logged with its traceback and mailed to ADMINS."""

import json
import logging

import pytest
from django.core import mail
from django.urls import path

from communs import urls as site_urls
from communs.log import JSONFormatter


def broken_view(request):
    raise ZeroDivisionError("division par zéro dans une vue")


# This module is also the URLconf of its tests: one view that fails plus the site's URLs (copied,
# not included: Django refuses i18n_patterns in an included URLconf).
urlpatterns = [path("boum/", broken_view), *site_urls.urlpatterns]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def client(client):
    # Answer the 500 page as a visitor gets it, instead of raising in the test.
    client.raise_request_exception = False
    return client


def test_a_500_is_logged_with_its_traceback_and_mailed_to_the_admins(client, db, settings, caplog):
    settings.ADMINS = [("Jeanne Martin", "jeanne@example.gouv.fr"), ("", "ops@example.gouv.fr")]
    response = client.get("/boum/")
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert "Internal Server Error: /boum/" in record.getMessage()
    assert record.exc_info[0] is ZeroDivisionError
    [message] = mail.outbox
    assert message.to == ["jeanne@example.gouv.fr", "ops@example.gouv.fr"]
    assert message.subject.startswith("[Annuaire des communs] ERROR")
    assert "division par zéro dans une vue" in message.body and "Traceback" in message.body


def test_without_admins_a_500_is_logged_and_nobody_is_mailed(client, db, settings, caplog):
    settings.ADMINS = []
    assert client.get("/boum/").status_code == 500
    assert any(r.name == "django.request" and r.exc_info for r in caplog.records)
    assert mail.outbox == []


def test_a_404_is_neither_mailed_nor_an_error(client, db, settings, caplog):
    settings.ADMINS = [("", "ops@example.gouv.fr")]
    assert client.get("/nexiste-pas/").status_code == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert mail.outbox == []


def test_the_json_format_writes_one_object_per_line_with_the_traceback(client, db, caplog):
    client.get("/boum/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = JSONFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "django.request"
    assert entry["status_code"] == 500 and entry["path"] == "/boum/" and entry["method"] == "GET"
    assert "ZeroDivisionError: division par zéro dans une vue" in entry["traceback"]

"""The smaller items of issue 31: If-Match: * refused for writes, a contact point that is no script, a 500
page that claims nothing, a login that lands somewhere, `make serve` without a .env."""

import shutil
import subprocess

import pytest
from django.conf import settings

from initiatives.models import Initiative
from tests.api.conftest import token_client, user_with_role
from tests.factories import PUBLISHED, make_initiative

pytestmark = pytest.mark.django_db
URL = "/api/v1/initiatives/commun/"


@pytest.fixture
def editor_client(db):
    from curation.roles import EDITOR

    make_initiative("commun", "Commun", publication_status=PUBLISHED, summary="Avant")
    return token_client(user_with_role("editeur", EDITOR))


def test_if_match_star_is_refused_for_updates_and_deletes(editor_client):
    patch = editor_client.patch(URL, {"summary": "Écrase"}, format="json", HTTP_IF_MATCH="*")
    put = editor_client.put(URL, {"slug": "commun", "name": "C", "kind": "software"}, format="json", HTTP_IF_MATCH="*")
    delete = editor_client.delete(URL, HTTP_IF_MATCH="*")

    assert (patch.status_code, put.status_code, delete.status_code) == (428, 428, 428)
    assert "If-Match: * is not accepted" in patch.json()["detail"]
    entry = Initiative.objects.get(slug="commun")
    assert (entry.summary, entry.publication_status) == ("Avant", PUBLISHED)


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "  JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_a_contact_point_refuses_script_urls(editor_client, value):
    etag = editor_client.get(URL)["ETag"]
    response = editor_client.patch(URL, {"contact_point": value}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 400
    assert "point de contact" in response.json()["errors"]["contact_point"][0]
    assert Initiative.objects.get(slug="commun").contact_point == ""


@pytest.mark.parametrize(
    "value",
    ["mailto:contact@commun.fr", "https://commun.fr/contact", "contact@commun.fr", "Support: 01 02 03 04 05"],
)
def test_a_contact_point_accepts_addresses(editor_client, value):
    etag = editor_client.get(URL)["ETag"]
    response = editor_client.patch(URL, {"contact_point": value}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert Initiative.objects.get(slug="commun").contact_point == value


@pytest.mark.parametrize(
    ("admins", "alerts", "informed"),
    [([], False, False), ([("Ops", "ops@example.gouv.fr")], False, True), ([], True, True)],
)
def test_the_500_page_says_the_team_knows_only_when_someone_is_told(settings, rf, admins, alerts, informed):
    from communs.outage import server_error

    settings.ADMINS, settings.ERROR_ALERTS = admins, alerts
    page = server_error(rf.get("/")).content.decode()

    assert ("L'équipe en est informée" in page) is informed
    assert ("Si le problème persiste" in page) is not informed


def test_a_signed_in_curator_without_next_lands_in_the_admin(client):
    from curation.roles import CURATOR

    curator = user_with_role("curatrice", CURATOR)
    client.force_login(curator)

    response = client.get("/accounts/profile/", follow=True)

    assert response.redirect_chain[0] == ("/admin/", 302)
    assert response.status_code == 200


def test_make_serve_writes_no_env_file(tmp_path):
    for name in ("Makefile", "requirements.lock", "pyproject.toml", ".env.example"):
        shutil.copy(settings.BASE_DIR / name, tmp_path / name)

    def planned(target):
        # -n: what make would run, without running it.
        return subprocess.run(["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, check=True).stdout

    assert "cp .env.example .env" in planned("install")  # a development checkout gets one
    assert "cp .env.example .env" not in planned("serve")
    assert "gunicorn" in planned("serve")

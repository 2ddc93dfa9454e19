import itertools

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache

from actors.models import Actor
from curation.roles import CURATOR, EDITOR, sync_roles
from funding.models import FundingScheme
from initiatives.models import Initiative, Sector, Territory

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # The suggestion rate limit lives in the cache; each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roles(db):
    # Idempotent; needed after a transactional test flushed the groups.
    sync_roles()


def _user(username, group=None, **extra):
    user = User.objects.create_user(username, f"{username}@example.org", "motdepasse-long-42", is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def curator(roles):
    return _user("curatrice", CURATOR)


@pytest.fixture
def other_curator(roles):
    return _user("curateur2", CURATOR)


@pytest.fixture
def editor(roles):
    return _user("editrice", EDITOR)


@pytest.fixture
def superuser(db):
    return _user("admin", is_superuser=True)


@pytest.fixture
def users(curator, editor, superuser):
    return {"curator": curator, "editor": editor, "superuser": superuser}


def make_initiative(**fields):
    n = next(_counter)
    defaults = {"name": f"Initiative {n}", "slug": f"initiative-{n}", "kind": Initiative.Kind.SOFTWARE}
    return Initiative.objects.create(**{**defaults, **fields})


def make_actor(**fields):
    n = next(_counter)
    defaults = {"name": f"Acteur {n}", "slug": f"acteur-{n}", "kind": Actor.Kind.STATE}
    return Actor.objects.create(**{**defaults, **fields})


def make_scheme(**fields):
    n = next(_counter)
    defaults = {"name": f"Dispositif {n}", "slug": f"dispositif-{n}", "kind": FundingScheme.Kind.FUND}
    return FundingScheme.objects.create(**{**defaults, **fields})


def make_sector(**fields):
    n = next(_counter)
    return Sector.objects.create(**{"name": f"Secteur {n}", "slug": f"secteur-{n}", **fields})


def make_territory(**fields):
    n = next(_counter)
    return Territory.objects.create(**{"name": f"Territoire {n}", "code": f"dep-{n}", "kind": "departement", **fields})


def logged_in(client, user):
    client.force_login(user)
    return client


def form_data(client, url):
    """The admin change form's current values, as a browser would post them back."""
    response = client.get(url)
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value) if not hasattr(value, "pk") else str(value.pk)
    if "tags" in data and isinstance(form["tags"].value(), list):
        data["tags"] = ", ".join(t.name for t in form["tags"].value())
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and value is not False:
                    data[inline_form.add_prefix(name)] = "on" if value is True else str(value)
    return data

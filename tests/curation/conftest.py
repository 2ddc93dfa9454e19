import pytest
from django.core.cache import cache

from curation.roles import CURATOR, EDITOR, sync_roles
from tests.factories import make_user


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
    """A member of staff who logs in to the admin, in the named role."""
    return make_user(
        username, group, email=f"{username}@example.org", password="motdepasse-long-42", is_staff=True, **extra
    )


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

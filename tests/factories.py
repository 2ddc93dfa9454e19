"""Builders of test data, shared by every test module.

Plain functions: each creates one saved object with the fewest fields the model needs, numbered
so that two calls never clash on a unique field; a test names only what it is about. Unless told
otherwise, an entry keeps the model's own defaults (an initiative or actor is then a draft).
"""

import contextlib
import itertools

from django.contrib.auth.models import Group, User
from django.test import override_settings

from actors.models import Actor
from communs import search_index
from communs.cache import bulk_writes
from funding.models import FundingScheme
from initiatives.models import Initiative, Sector
from territories.models import Territory

PUBLISHED = "published"

_counter = itertools.count(1)


def _slug_and_name(prefix, slug, name):
    if slug is None:
        slug = f"{prefix}-{next(_counter)}"
    return slug, name or slug.replace("-", " ").title()


def make_initiative(slug=None, name=None, *, sectors=(), territories=(), tags=(), **fields):
    """An initiative (software unless `kind` says otherwise); without a name, its slug in title case."""
    slug, name = _slug_and_name("initiative", slug, name)
    fields.setdefault("kind", Initiative.Kind.SOFTWARE)
    initiative = Initiative.objects.create(slug=slug, name=name, **fields)
    if sectors:
        initiative.sectors.set(sectors)
    if territories:
        initiative.territories.set(territories)
    if tags:
        initiative.tags.add(*tags)
    return initiative


def make_actor(slug=None, name=None, **fields):
    """An actor (a state service unless `kind` says otherwise); without a name, its slug in title case."""
    slug, name = _slug_and_name("acteur", slug, name)
    fields.setdefault("kind", Actor.Kind.STATE)
    return Actor.objects.create(slug=slug, name=name, **fields)


def make_scheme(slug=None, name=None, **fields):
    """A funding scheme (a fund unless `kind` says otherwise)."""
    slug, name = _slug_and_name("dispositif", slug, name)
    fields.setdefault("kind", FundingScheme.Kind.FUND)
    return FundingScheme.objects.create(slug=slug, name=name, **fields)


def make_sector(slug=None, name=None, **fields):
    slug, name = _slug_and_name("secteur", slug, name)
    return Sector.objects.create(slug=slug, name=name, **fields)


def make_territory(code=None, name=None, **fields):
    """A territory (a département unless `kind` says otherwise)."""
    if code is None:
        n = next(_counter)
        code, name = f"dep-{n}", name or f"Territoire {n}"
    fields.setdefault("kind", "departement")
    return Territory.objects.create(code=code, name=name, **fields)


def make_user(username, group=None, **fields):
    """A user, in the named group (role) if given, fetched afresh so that no permission is cached."""
    user = User.objects.create_user(username, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)


def make_token(user, name="Jeton de test", **fields):
    """An API token for the user; returns its key (only its digest is stored, as in production)."""
    from curation.tokens import ApiToken

    _token, key = ApiToken.create_for(user, name, **fields)
    return key


@contextlib.contextmanager
def built_in_bulk():
    """For a test that builds hundreds of rows to count a page's queries: the search documents are
    written once at the end and cached pages made stale once, as the demo loader does, rather than at
    every row; and no history is written (each many-to-many link added is otherwise one more version
    of the entry with a copy of all its links: most of the time of such a build). A page that read
    the history would still run its queries, on no rows: a count per entry would still show."""
    with bulk_writes(), search_index.paused(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        yield
    search_index.rebuild()

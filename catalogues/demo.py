"""The demo: the source documents' entries, the official territories and a snapshot of real catalogues.

`manage.py load_demo_data` (hence `make run`) fills an empty directory with it. Built from the
sources, it takes about a minute: the fixtures (fixtures/*.json, every fact citing its source
document), the official territories (data/geo-fr), then each catalogue import below, which matches
every entry against those already there. So the result of that build is kept in the project as a
*snapshot* (fixtures/demo-snapshot.json.xz), which loads in a few seconds:

- `make demo-snapshot` rebuilds it from the sources in an empty database, with the clock held at
  SNAPSHOT_CLOCK so that the same sources always give the same file;
- the snapshot names the migrations and the digest of the source files it was built from: when
  either differs from the checkout (a new migration, an edited fixture), `load_demo_data` builds
  from the sources instead, and says why;
- a test builds the demo from the sources and fails if the snapshot differs from it.

The catalogues are imported in this order: the SILL first (its ids are the strongest identifiers),
then the registries that may name the same software, then code.gouv.fr's organisations, then
publiccode.yml files. data/README.md gives each file's origin and licence.
"""

import datetime
import hashlib
import json
import lzma
import uuid
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_save
from django.test.utils import override_settings
from django.utils import timezone

from communs import search_index
from communs.cache import bulk_writes
from communs.markdown import render_saved

DEMO_IMPORTS = [
    ("import_sill",),
    ("import_dpg",),  # the Digital Public Goods registry's nominees and screenings
    ("import_organisations",),  # code.gouv.fr's public organisations and OSPOs
    ("import_repositories",),  # code.gouv.fr's public-sector repositories with a community (50 stars)
    ("import_publiccode",),  # code.gouv.fr's "awesome" selection, published
    # Real files from public repositories, several not following the standard: read leniently, and
    # left as drafts (CATALOGUE_PUBLICATION["publiccode"]) for a curator to review.
    ("import_publiccode", "publiccode/real", "--lenient", "--source", "publiccode"),
    # Funding schemes last: their laureates are matched against every commons imported above.
    ("import_funding",),
]

SNAPSHOT = Path(settings.BASE_DIR) / "fixtures" / "demo-snapshot.json.xz"
SNAPSHOT_FORMAT = 1
# The instant the snapshot's rows say they were written (history, "imported on", updated_at): the
# day the shipped catalogue files were last refreshed (data/README.md), not the day of the build.
SNAPSHOT_CLOCK = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
# Rows a fresh `migrate` makes itself (content types, permissions, the curators' groups), rows that
# are no demo content (sessions, login attempts, the admin's log), and the search documents with
# their facet keys, which are rebuilt from the entries in under a second.
LEFT_OUT = {
    "contenttypes",
    "sessions",
    "admin",
    "axes",
    "auth.permission",
    "auth.group",
    "communs.searchdocument",
    "communs.facetkey",
}
# Reference rows a data migration writes (publiccode.yml's categories): left out like the others,
# but the entries' links to them are demo content and stay in.
MADE_BY_MIGRATIONS = {"initiatives.category"}


def fixture_files():
    return sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))


def import_demo_catalogues(stdout=None, verbosity=1):
    for command, *args in DEMO_IMPORTS:
        args = [str(settings.DATA_DIR / arg) if "/" in arg else arg for arg in args]
        call_command(command, *args, stdout=stdout, verbosity=verbosity)


def build_from_sources(*, stdout, verbosity=1, seeds_only=False):
    """Load the fixtures and territories, then import the catalogues (unless seeds_only), in one transaction."""
    # Cached pages are made stale once, at the end, rather than at each of thousands of rows.
    with bulk_writes(), transaction.atomic():
        # The full official territories (data/geo-fr) first, so that every /territoires/<code>/ page
        # exists; the fixture's territories carry the same codes and parents, so loaddata then
        # finds them by natural key instead of adding copies.
        call_command("import_territories", verbosity=verbosity, stdout=stdout)
        # loaddata saves raw, and each many-to-many row it adds would be recorded as a change.
        # Load without history, then give every entry that has none its first version.
        # The search documents are written once at the end rather than at each raw row.
        with search_index.paused():
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", *fixture_files(), verbosity=verbosity, stdout=stdout)
            _record_first_versions()
        _render_markdown()
        if not seeds_only:
            with search_index.paused():
                import_demo_catalogues(stdout=stdout if verbosity > 1 else StringIO())
                # The pairs a curator found to be one entry (data/aliases/merges.csv), and the SIREN
                # of the local authorities that govern an official commune or EPCI.
                from catalogues.identity import apply_merge_list, fill_sirens

                for line in apply_merge_list():
                    if verbosity > 1:
                        stdout.write(line)
                fill_sirens()
        # Every import derived what its entries say; a last run covers the curated entries of the
        # fixtures and what an actor imported later says of the commons it carries.
        with search_index.paused():
            call_command("derive_facts", verbosity=verbosity, stdout=stdout if verbosity > 1 else StringIO())
        search_index.rebuild()


def _render_markdown():
    # loaddata saves raw, without Publishable.save(): store the descriptions' HTML here.
    for model in apps.get_models():
        if getattr(model, "markdown_fields", ()):
            render_saved(apps, model._meta.app_label, model.__name__, model.markdown_fields)


def _record_first_versions():
    for model in apps.get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name is None:
            continue
        history = getattr(model, manager_name).model
        without_history = model._base_manager.exclude(pk__in=history.objects.values(model._meta.pk.attname))
        # In key order, so that the history rows get the same ids on every database (the snapshot).
        for instance in without_history.order_by("pk").iterator():
            # What a non-raw save announces; django-simple-history's receiver turns it into a
            # "created" record with the many-to-many values (the project has no other receiver).
            post_save.send(sender=model, instance=instance, created=True, raw=False, using="default")


# --- the snapshot -----------------------------------------------------------------------------


def sources_digest():
    """A digest of every file the build reads (fixtures and data/), so that an edit is noticed."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    paths = [Path(name) for name in fixture_files()]
    paths += sorted(path for path in Path(settings.DATA_DIR).rglob("*") if path.is_file())
    for path in paths:
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def applied_migrations(using=DEFAULT_DB_ALIAS):
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connections[using]).applied_migrations())


def snapshot_models():
    """The models whose rows the snapshot holds, many-to-many tables included, in a fixed order."""
    models = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in LEFT_OUT or meta.label_lower in LEFT_OUT:
            continue
        if meta.label_lower in MADE_BY_MIGRATIONS:
            continue
        if meta.auto_created and any(
            field.related_model._meta.label_lower in LEFT_OUT for field in meta.fields if field.is_relation
        ):
            continue  # auth's user–group and user–permission links
        models.append(model)
    return sorted(models, key=lambda model: model._meta.label_lower)


def _columns(model):
    return list(model._meta.concrete_fields)


def _encode(field, value):
    if value is None:
        return None
    if field.is_relation and field.related_model is ContentType:
        # Content type ids differ between databases: the snapshot names the model.
        return list(ContentType.objects.get_for_id(value).natural_key())
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _decode(field, value):
    if value is None:
        return None
    if field.is_relation and field.related_model is ContentType:
        return ContentType.objects.get_by_natural_key(*value).pk
    if field.get_internal_type() == "JSONField":
        return value
    return field.to_python(value)


# Fields whose snapshot values (JSON strings, numbers, booleans) are already what the database takes.
_AS_STORED = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "EmailField",
              "IntegerField", "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
              "SlugField", "SmallIntegerField", "TextField", "URLField"}  # fmt: skip


def _loader(field, connection):
    """value → what the database stores, as bulk_create() would have written it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # bulk_create() stamps these with the time of the load (Field.pre_save), whatever the snapshot says.
        now = field.get_db_prep_save(timezone.now(), connection)
        return lambda value: now
    if field.is_relation:
        target = field.target_field
        if field.related_model is ContentType or target.get_internal_type() not in _AS_STORED:
            return lambda value: None if value is None else field.get_db_prep_save(_decode(field, value), connection)
        return lambda value: value
    if type(field).__module__.startswith("django.db.models") and field.get_internal_type() in _AS_STORED:
        return lambda value: value
    return lambda value: None if value is None else field.get_db_prep_save(_decode(field, value), connection)


def dump_snapshot(using=DEFAULT_DB_ALIAS):
    """The directory's rows as the snapshot holds them (a dict, written as JSON)."""
    tables = {}
    for model in snapshot_models():
        columns = _columns(model)
        rows = []
        for row in model._base_manager.using(using).order_by("pk").values_list(*(f.attname for f in columns)):
            rows.append([_encode(field, value) for field, value in zip(columns, row, strict=True)])
        if model._meta.label_lower == "auth.user":
            # Hashes carry a random salt; the demo's only account (the importer's) cannot log in.
            index = [field.name for field in columns].index("password")
            for row in rows:
                row[index] = UNUSABLE_PASSWORD_PREFIX
        if rows:
            tables[model._meta.label_lower] = {"columns": [field.attname for field in columns], "rows": rows}
    return {
        "format": SNAPSHOT_FORMAT,
        "clock": SNAPSHOT_CLOCK.isoformat(),
        "migrations": applied_migrations(using),
        "sources": sources_digest(),
        "tables": tables,
    }


def snapshot_bytes(snapshot):
    # One table per line: the file is compressed, but a diff of its text still reads table by table.
    lines = [json.dumps({key: value for key, value in snapshot.items() if key != "tables"}, ensure_ascii=False)]
    lines += [json.dumps({label: table}, ensure_ascii=False) for label, table in sorted(snapshot["tables"].items())]
    return ("\n".join(lines) + "\n").encode()


def read_snapshot(path=SNAPSHOT):
    with lzma.open(path, "rt", encoding="utf-8") as stream:
        header, *tables = (json.loads(line) for line in stream)
    header["tables"] = {label: table for line in tables for label, table in line.items()}
    return header


def write_snapshot(snapshot, path=SNAPSHOT):
    # xz with a fixed preset and no timestamp in its header: the same rows give the same bytes.
    path.write_bytes(lzma.compress(snapshot_bytes(snapshot), preset=9 | lzma.PRESET_EXTREME))


def restart_ids(using=DEFAULT_DB_ALIAS):
    """Let the empty tables' ids start at 1 again (PostgreSQL's sequences outlive a rolled-back
    transaction), so that a build in a used test database gives the ids of a build in a new one."""
    models = [model for model in snapshot_models() if not model._base_manager.using(using).exists()]
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def stale_because(snapshot, using=DEFAULT_DB_ALIAS):
    """Why the snapshot cannot be loaded here, or "" when it can."""
    occupied = [model._meta.label_lower for model in snapshot_models() if model._base_manager.using(using).exists()]
    if occupied:
        return f"the directory is not empty: {', '.join(occupied[:3])}"
    if snapshot.get("format") != SNAPSHOT_FORMAT:
        return "its format is not this version's"
    if snapshot["migrations"] != applied_migrations(using):
        return "the database has other migrations than the snapshot was made with"
    if snapshot["sources"] != sources_digest():
        return "the fixtures or data/ files changed since it was made"
    return ""


def load_snapshot(snapshot, using=DEFAULT_DB_ALIAS):
    """Write the snapshot's rows into an empty directory, in one transaction, with no signal sent."""
    by_label = {model._meta.label_lower: model for model in snapshot_models()}
    unknown = set(snapshot["tables"]) - set(by_label)
    if unknown:
        raise ValueError(f"the snapshot holds tables this version has not: {', '.join(sorted(unknown))}")
    loaded = []
    connection = connections[using]
    with bulk_writes(using), transaction.atomic(using=using):
        for label, table in snapshot["tables"].items():
            model = by_label[label]
            fields = {field.attname: field for field in _columns(model)}
            columns = [fields[name] for name in table["columns"]]  # KeyError: a column this version lacks
            # Foreign keys are checked at the end of the transaction (Django creates them deferrable),
            # so the tables load in any order. Plain INSERTs, no model instances: no signal, so no
            # history or search document written row by row, and a third of the time bulk_create()
            # took (building 18,000 instances, then compiling each row's values back).
            converters = [_loader(field, connection) for field in columns]
            quote = connection.ops.quote_name
            sql = "INSERT INTO {} ({}) VALUES ({})".format(
                quote(model._meta.db_table),
                ", ".join(quote(field.column) for field in columns),
                ", ".join(["%s"] * len(columns)),
            )
            rows = [[convert(value) for convert, value in zip(converters, row, strict=True)] for row in table["rows"]]
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            loaded.append(model)
        # Rows came with their ids: PostgreSQL's sequences must start after them.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                cursor.execute(statement)
        search_index.rebuild()
    return sum(len(table["rows"]) for table in snapshot["tables"].values())

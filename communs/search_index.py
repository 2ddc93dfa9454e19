"""Keeps the search documents (communs.models.SearchDocument) up to date.

Each searchable model declares `search_fields`: (lookup, weight) pairs, own fields ("name") and
related names ("involvements__actor__acronym"). From that one declaration this module builds the
documents and knows which entries to rewrite when something changes: an entry saved, one of its
many-to-many links added or removed, or a related row (an actor, a tag, an involvement) saved or
deleted. Related names are read through the visibility rule, so a draft actor's name never makes
a published initiative match; publishing the actor rewrites the documents that name it.

An app may also register what its list's facets count (register_facet_keys): the document then
carries the entry's facet values (SearchDocument.facet_ids, keys of communs.models.FacetKey), rewritten when the entry or one of
the related rows the builder reads changes (the `watched` lookups, as related names above).

Inside a transaction the documents are not rewritten at each signal but noted, and written once
when the transaction commits or before anything reads them (flush(): search(), the facet counts and
every query on SearchDocument call it), whichever comes first. Saving an entry with its links and
related rows (the admin's form and its inlines, an import, a test's data) sent a signal per row, and
each rewrote the entry's document: about 30 ms of queries, a dozen times over.

An entry whose document is rewritten because a related row changed also gets a new `updated_at`:
its API representation embeds those names, and a client syncing with `updated_since` must learn
of the change. Bulk loads that bypass signals (`bulk_create`, `update()`) end with
`manage.py rebuild_search_index`.
"""

import contextlib
import json
import threading
from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from communs.search.text import fold

WEIGHT_COLUMNS = {"A": "title", "B": "keywords", "C": "body", "D": "body"}
BATCH = 1000


def searchable_models():
    """The models that declare `search_fields` (each app, next to its model), in a fixed order."""
    models = [model for model in apps.get_models() if "search_fields" in model.__dict__]
    return sorted(models, key=lambda model: model._meta.label_lower)


def _visible_path(model, lookup):
    """The condition keeping only the public rows along `lookup`'s relations."""
    from communs.models import Publishable, visible_q

    parts = lookup.split("__")
    condition, current = Q(), model
    for depth, name in enumerate(parts[:-1], start=1):
        current = current._meta.get_field(name).related_model
        if issubclass(current, Publishable):
            condition &= visible_q(current, prefix="__".join(parts[:depth]) + "__")
    return condition


def _texts(model, pks):
    """{pk: {column: [texts]}} for the entries `pks`, in the order of search_fields."""
    texts = defaultdict(lambda: defaultdict(list))
    own = [lookup for lookup, _ in model.search_fields if "__" not in lookup]
    weights = dict(model.search_fields)
    for row in model._base_manager.filter(pk__in=pks).values_list("pk", *own):
        for lookup, value in zip(own, row[1:], strict=True):
            texts[row[0]][WEIGHT_COLUMNS[weights[lookup]]].append(value or "")
    for lookup, weight in model.search_fields:
        if "__" in lookup:
            rows = (
                model._base_manager.filter(pk__in=pks)
                .filter(_visible_path(model, lookup))
                .exclude(**{f"{lookup}__isnull": True})
                .order_by(lookup)
                .values_list("pk", lookup)
                .distinct()
            )
            for pk, value in rows:
                texts[pk][WEIGHT_COLUMNS[weight]].append(value or "")
    return texts


# {model: (build, watched)}: build(pks) gives {pk: [[facet, value, label…], …]}; `watched` lists
# lookups ("deployments__actor__name") whose rows, when saved or deleted, rewrite the documents.
FACET_KEYS = {}


def register_facet_keys(model, build, watched=()):
    """Have `model`'s documents carry the values its list's facets count (see FACET_KEYS)."""
    FACET_KEYS[model] = (build, list(watched))
    for related, path in _paths(model, FACET_KEYS[model][1]):
        if (model, path) not in FACET_RELATED[related]:
            FACET_RELATED[related].append((model, path))
        _connect_related(related)


def _facet_keys(model, pks):
    """{pk: sorted keys} of `model`'s entries, or None when the model registers no facets."""
    if model not in FACET_KEYS:
        return None
    keys = FACET_KEYS[model][0](pks)
    return {pk: sorted(set(map(tuple, keys.get(pk, ())))) for pk in pks}


def key_text(key):
    """A facet key's text in FacetKey.key: the JSON of [facet, value, label…], one spelling."""
    return json.dumps(list(key), ensure_ascii=False, separators=(",", ":"))


def facet_key_ids(keys):
    """{key: FacetKey id} of `keys` (tuples), creating the keys not known yet."""
    from communs.models import FacetKey

    texts = {key_text(key): key for key in keys}
    ids = {}
    for attempt in range(2):
        missing = [text for text in texts if text not in ids]
        for start in range(0, len(missing), 500):  # under SQLite's number of parameters
            chunk = missing[start : start + 500]
            ids.update(FacetKey.objects.filter(key__in=chunk).values_list("key", "id"))
        missing = [text for text in texts if text not in ids]
        if not missing or attempt:
            break
        # Another process may create the same key meanwhile: the unique key keeps one, and the
        # second read finds it.
        FacetKey.objects.bulk_create([FacetKey(key=text) for text in sorted(missing)], ignore_conflicts=True)
    return {key: ids[text] for text, key in texts.items()}


def update_documents(model, pks):
    """Rewrite the documents of `model`'s entries `pks` (and drop those of deleted entries)."""
    from communs.models import SearchDocument, visible_q

    pks = list(pks)
    if not pks:
        return
    content_type = ContentType.objects.get_for_model(model)
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        texts = _texts(model, batch)
        public = set(model._base_manager.filter(visible_q(model), pk__in=batch).values_list("pk", flat=True))
        facet_keys = _facet_keys(model, batch)
        ids = None if facet_keys is None else facet_key_ids({key for keys in facet_keys.values() for key in keys})
        documents = [
            SearchDocument(
                content_type=content_type,
                object_id=pk,
                **{
                    column: fold("\n".join(t for t in texts[pk][column] if t))
                    for column in ("title", "keywords", "body")
                },
                facet_ids=None if facet_keys is None else sorted(ids[key] for key in facet_keys[pk]),
                public=pk in public,
            )
            for pk in texts
        ]
        # Delete then insert: one statement each, and the SQLite full-text triggers stay simple.
        # The base manager: the default one flushes the notes (flush()), which call this.
        SearchDocument._base_manager.filter(content_type=content_type, object_id__in=batch).delete()
        SearchDocument._base_manager.bulk_create(documents)


def facet_keys_of(document):
    """The facet keys a document carries, as tuples (facet, value, label…)."""
    from communs.models import FacetKey

    texts = FacetKey.objects.filter(pk__in=document.facet_ids or []).values_list("key", flat=True)
    return {tuple(json.loads(text)) for text in texts}


def rebuild(model=None, stdout=None):
    """Rebuild every document (of one model, or of all searchable models)."""
    for current in [model] if model else searchable_models():
        pks = list(current._base_manager.order_by("pk").values_list("pk", flat=True))
        update_documents(current, pks)
        if stdout:
            stdout.write(f"{current._meta.label}: {len(pks)} documents")
    if model is None:
        _drop_unused_facet_keys()


def _drop_unused_facet_keys():
    """Delete the facet keys that no document carries any more (renamed or deleted values)."""
    from communs.models import FacetKey, SearchDocument

    used = set()
    for ids in SearchDocument._base_manager.exclude(facet_ids=None).values_list("facet_ids", flat=True).iterator():
        used.update(ids)
    unused = sorted(set(FacetKey.objects.values_list("pk", flat=True)) - used)
    for start in range(0, len(unused), 500):
        FacetKey.objects.filter(pk__in=unused[start : start + 500]).delete()


# --- Signals ----------------------------------------------------------------------------------

_state = threading.local()


@contextlib.contextmanager
def paused():
    """Bulk loads: no document written per row; rebuild() once at the end instead."""
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = False


def _active():
    return not getattr(_state, "paused", False)


class _Notes:
    """The documents to rewrite, noted in one block of a transaction (one savepoint, or the
    transaction itself). Registered with on_commit, so that Django tells which notes still count: a
    savepoint rolled back drops its callbacks (and its rows: the notes no longer apply), one
    released keeps them (its rows stay); at the commit it calls them, and they write what is left.
    """

    def __init__(self, block):
        self.block = block  # the savepoint ids open when the notes were taken
        self.entries = {}  # {model: pks}
        self.written_in = None  # the savepoint ids open when they were last written, if they were

    def add(self, model, pks):
        self.entries.setdefault(model, set()).update(pks)
        self.written_in = None

    def __call__(self):  # on commit: the first called writes the notes of the whole transaction
        pending = _pending()
        if self not in pending:
            return
        # Written in a savepoint (inside the transaction, before its end): written again, in case
        # that savepoint was rolled back. Writing is idempotent: from the rows as they are.
        _write([notes for notes in pending if notes.written_in != ()])
        pending.clear()


def _pending():
    if getattr(_state, "pending", None) is None:
        _state.pending = []
    return _state.pending


def _write(notes):
    """Write the documents of `notes`, each model's at once."""
    entries = {}
    for note in notes:
        for model, pks in note.entries.items():
            entries.setdefault(model, set()).update(pks)
    for model, pks in entries.items():
        update_documents(model, sorted(pks))


def _rewrite(model, pks):
    """Rewrite the documents of `model`'s entries `pks` now, or once the transaction commits (or
    when something reads the documents before: flush())."""
    if not pks:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        update_documents(model, pks)
        return
    block = tuple(connection.savepoint_ids)
    pending = _pending()
    notes = pending[-1] if pending else None
    if notes is None or notes.block != block or not _registered(connection, notes):
        notes = _Notes(block)
        pending.append(notes)
        transaction.on_commit(notes)
    notes.add(model, pks)


def _registered(connection, notes):
    return any(entry[1] is notes for entry in connection.run_on_commit)


def flush():
    """Write the documents noted in the current transaction (see the module's docstring), before
    something reads them."""
    pending = getattr(_state, "pending", None)
    if not pending:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        # Notes of a transaction that ended without calling them: it was rolled back.
        pending.clear()
        return
    live = {id(entry[1]) for entry in connection.run_on_commit}
    pending[:] = [notes for notes in pending if id(notes) in live]
    block = tuple(connection.savepoint_ids)
    # Written in a savepoint since left (released or rolled back, which Django does not tell
    # apart): written again.
    due = [notes for notes in pending if notes.written_in is None or notes.written_in != block[: len(notes.written_in)]]
    _write(due)
    for notes in due:
        notes.written_in = block


def _paths(model, lookups):
    """[(related model, path from `model`)] of each relation that `lookups` go through."""
    found = []
    for lookup in lookups:
        parts = lookup.split("__")
        current = model
        for depth, name in enumerate(parts[:-1], start=1):
            current = current._meta.get_field(name).related_model
            found.append((current, "__".join(parts[:depth])))
    return found


def _related_paths():
    """{related model: [(searchable model, path from it)]}: who embeds whose names."""
    paths = defaultdict(list)
    for model in searchable_models():
        for related, path in _paths(model, [lookup for lookup, _ in model.search_fields]):
            if (model, path) not in paths[related]:
                paths[related].append((model, path))
    return paths


def _embedding(instance, related=None):
    """{searchable model: pks} of the entries whose document names `instance` (RELATED), or
    counts it in their facets (FACET_RELATED)."""
    found = {}
    for model, path in (RELATED if related is None else related).get(type(instance), []):
        pks = set(model._base_manager.filter(**{path: instance.pk}).values_list("pk", flat=True))
        if pks:
            found.setdefault(model, set()).update(pks)
    return found


def _refresh(found, touch=True):
    if not _active():
        return
    for model, pks in found.items():
        if touch:
            # update(): no signals, no version bump; the entry's own fields did not change.
            model._base_manager.filter(pk__in=pks).update(updated_at=timezone.now())
        _rewrite(model, pks)


def _merged(first, second):
    merged = {model: set(pks) for model, pks in first.items()}
    for model, pks in second.items():
        merged.setdefault(model, set()).update(pks)
    return merged


def _entry_saved(sender, instance, raw=False, **kwargs):
    if _active():
        _rewrite(sender, [instance.pk])


def _related_saved(sender, instance, raw=False, **kwargs):
    # Fixtures (raw saves) carry their own updated_at; their documents are still written.
    named = _embedding(instance)
    _refresh(named, touch=not raw)
    # Rows only counted by the facets (a use, a criterion): the API's representation of the entry
    # is not what changed here, so its updated_at stays.
    _refresh({m: pks - named.get(m, set()) for m, pks in _embedding(instance, FACET_RELATED).items()}, touch=False)


def _entry_deleted(sender, instance, **kwargs):
    # The GenericRelation deletes the document with the entry, but the cascade deletes the entry's
    # involvements before the entry, and their signals rewrite its document while it still
    # exists: removed again once the entry is gone.
    from communs.models import SearchDocument

    if _active():
        content_type = ContentType.objects.get_for_model(sender)
        SearchDocument.objects.filter(content_type=content_type, object_id=instance.pk).delete()


def _related_deleting(sender, instance, **kwargs):
    if _active():
        instance._search_embedding = _embedding(instance)
        instance._facet_embedding = _embedding(instance, FACET_RELATED)


def _related_deleted(sender, instance, **kwargs):
    named = getattr(instance, "_search_embedding", {})
    _refresh(named)
    counted = getattr(instance, "_facet_embedding", {})
    _refresh({m: pks - named.get(m, set()) for m, pks in counted.items()}, touch=False)


def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """An m2m link of a searchable entry added, removed or cleared (from either side)."""
    if action == "pre_clear" and reverse and _active():
        instance._search_embedding = _merged(_embedding(instance), _embedding(instance, FACET_RELATED))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # instance is the related row (a sector); pk_set the entries
        found = {model: pk_set} if pk_set else getattr(instance, "_search_embedding", {})
        _refresh({m: pks for m, pks in found.items() if m in searchable_models()})
    elif type(instance) in searchable_models():
        _refresh({type(instance): {instance.pk}})


RELATED = {}
FACET_RELATED = defaultdict(list)


def _connect_related(related):
    """A related row (an involvement, a tag, a use) or an embedded entry (an actor named in
    initiatives' documents): its saves and deletions rewrite the documents that name or count it."""
    label = related._meta.label
    post_save.connect(_related_saved, sender=related, dispatch_uid=f"search-related-{label}")
    pre_delete.connect(_related_deleting, sender=related, dispatch_uid=f"search-related-pre-{label}")
    post_delete.connect(_related_deleted, sender=related, dispatch_uid=f"search-related-del-{label}")


def connect():
    """Called from CommunsConfig.ready()."""
    RELATED.update(_related_paths())
    for model in searchable_models():
        post_save.connect(_entry_saved, sender=model, dispatch_uid=f"search-entry-{model._meta.label}")
        post_delete.connect(_entry_deleted, sender=model, dispatch_uid=f"search-entry-del-{model._meta.label}")
        for field in model._meta.get_fields():
            through = getattr(getattr(field, "remote_field", None), "through", None)
            if field.many_to_many and through is not None and not field.auto_created:
                m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"search-links-{through._meta.label}")
    for related in RELATED:
        _connect_related(related)

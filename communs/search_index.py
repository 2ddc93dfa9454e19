"""Keeps the search documents (communs.models.SearchDocument) up to date.

Each searchable model declares `search_fields`: (lookup, weight) pairs, own fields ("name") and
related names ("involvements__actor__acronym"). From that one declaration this module builds the
documents and knows which entries to rewrite when something changes: an entry saved, one of its
many-to-many links added or removed, or a related row (an actor, a tag, an involvement) saved or
deleted. Related names are read through the visibility rule, so a draft actor's name never makes
a published initiative match; publishing the actor rewrites the documents that name it.

An entry whose document is rewritten because a related row changed also gets a new `updated_at`:
its API representation embeds those names, and a client syncing with `updated_since` must learn
of the change. Bulk loads that bypass signals (`bulk_create`, `update()`) end with
`manage.py rebuild_search_index`.
"""

import contextlib
import threading
from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from communs.search import fold

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


def update_documents(model, pks):
    """Rewrite the documents of `model`'s entries `pks` (and drop those of deleted entries)."""
    from communs.models import SearchDocument

    pks = list(pks)
    if not pks:
        return
    content_type = ContentType.objects.get_for_model(model)
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        texts = _texts(model, batch)
        documents = [
            SearchDocument(
                content_type=content_type,
                object_id=pk,
                **{
                    column: fold("\n".join(t for t in texts[pk][column] if t))
                    for column in ("title", "keywords", "body")
                },
            )
            for pk in texts
        ]
        # Delete then insert: one statement each, and the SQLite full-text triggers stay simple.
        SearchDocument.objects.filter(content_type=content_type, object_id__in=batch).delete()
        SearchDocument.objects.bulk_create(documents)


def rebuild(model=None, stdout=None):
    """Rebuild every document (of one model, or of all searchable models)."""
    for current in [model] if model else searchable_models():
        pks = list(current._base_manager.order_by("pk").values_list("pk", flat=True))
        update_documents(current, pks)
        if stdout:
            stdout.write(f"{current._meta.label}: {len(pks)} documents")


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


def _related_paths():
    """{related model: [(searchable model, path from it)]}: who embeds whose names."""
    paths = defaultdict(list)
    for model in searchable_models():
        for lookup, _ in model.search_fields:
            parts = lookup.split("__")
            current = model
            for depth, name in enumerate(parts[:-1], start=1):
                current = current._meta.get_field(name).related_model
                path = "__".join(parts[:depth])
                if (model, path) not in paths[current]:
                    paths[current].append((model, path))
    return paths


def _embedding(instance):
    """{searchable model: pks} of the entries whose document names `instance`."""
    found = {}
    for model, path in RELATED.get(type(instance), []):
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
        update_documents(model, pks)


def _entry_saved(sender, instance, raw=False, **kwargs):
    if _active():
        update_documents(sender, [instance.pk])


def _related_saved(sender, instance, raw=False, **kwargs):
    # Fixtures (raw saves) carry their own updated_at; their documents are still written.
    _refresh(_embedding(instance), touch=not raw)


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


def _related_deleted(sender, instance, **kwargs):
    _refresh(getattr(instance, "_search_embedding", {}))


def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """An m2m link of a searchable entry added, removed or cleared (from either side)."""
    if action == "pre_clear" and reverse and _active():
        instance._search_embedding = _embedding(instance)
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # instance is the related row (a sector); pk_set the entries
        found = {model: pk_set} if pk_set else getattr(instance, "_search_embedding", {})
        _refresh({m: pks for m, pks in found.items() if m in searchable_models()})
    elif type(instance) in searchable_models():
        _refresh({type(instance): {instance.pk}})


RELATED = {}


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
    # A related row (an involvement, a tag) or an embedded entry (an actor named in initiatives'
    # documents): its saves and deletions rewrite the documents that name it.
    for related in RELATED:
        label = related._meta.label
        post_save.connect(_related_saved, sender=related, dispatch_uid=f"search-related-{label}")
        pre_delete.connect(_related_deleting, sender=related, dispatch_uid=f"search-related-pre-{label}")
        post_delete.connect(_related_deleted, sender=related, dispatch_uid=f"search-related-del-{label}")

"""Abstract bases shared by the curated models of every app."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communs.markdown import render_markdown, validate_markdown
from communs.text import CleanText
from communs.validators import validate_sources


class SourceManager(models.Manager):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Source(models.Model):
    """A document or catalogue that facts cite: an article, a public catalogue's export, another
    directory. Entries cite it by key in their `sources` ({"source": key, "note": …}), so that pages
    and the API give a reader its title, publisher and link rather than an internal name."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document (article, rapport)")
        CATALOGUE = "catalogue", _("Catalogue public")
        DIRECTORY = "directory", _("Autre instance de l'annuaire")

    key = models.SlugField(_("clé"), max_length=100, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    title = models.CharField(_("titre"), max_length=300)
    publisher = models.CharField(_("éditeur"), max_length=200, blank=True)
    # As precise as the document says: "2025", "2024-07" or "2024-07-19".
    date = models.CharField(_("date"), max_length=10, blank=True, help_text=_("AAAA, AAAA-MM ou AAAA-MM-JJ."))
    url = models.URLField(_("adresse"), max_length=500, blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    note = models.TextField(_("précision"), blank=True)
    # When an importer last read it: a harvest asks the other instance for what changed since then.
    retrieved_at = models.DateTimeField(_("lu le"), null=True, blank=True, editable=False)

    objects = SourceManager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]

    # Meta cannot see the nested choices, so their constraint is added from the class body.
    Meta.constraints = [
        models.CheckConstraint(condition=Q(kind__in=Kind.values), name="communs_source_kind_valid"),
        models.CheckConstraint(
            condition=Q(date="") | Q(date__regex=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"),
            name="communs_source_date_format",
        ),
    ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.key,)

    def citation(self) -> dict:
        """What a reader is given for a citation: title, publisher, date, link, licence."""
        return {
            "title": self.title,
            "publisher": self.publisher,
            "date": self.date,
            "source_url": self.url,
            "licence": self.licence,
        }


def sources_field():
    """Where each fact comes from: a list of {"source" (a Source's key) or "document", "url", "note"}."""
    return models.JSONField(
        _("sources"),
        default=list,
        blank=True,
        validators=[validate_sources],
        help_text=_('Liste de sources : [{"source": "clé d\'une source", "url": "…", "note": "faits appuyés"}].'),
    )


def markdown_field(verbose_name, **kwargs):
    """A Markdown text, bounded in size (communs/markdown.py)."""
    return models.TextField(verbose_name, blank=True, validators=[validate_markdown], **kwargs)


def rendered_markdown_field():
    """The sanitised HTML of a Markdown field, written by Publishable.save()."""
    return models.TextField(blank=True, editable=False, default="")


def choices_constraint(field, choices, name, allow_blank=False):
    """A CheckConstraint keeping `field` within its nested choices (and "" when allow_blank)."""
    condition = Q(**{f"{field}__in": [value for value, _label in choices]})
    if allow_blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


# --- Who may see what -------------------------------------------------------------------------
# The one visibility rule of the directory: the public (the site, anonymous API clients, feeds,
# exports, facets, search, public history) sees published entries only; a user allowed to view or
# change a model (curators, editors, their API tokens) sees all of its entries. Every read goes
# through visible_to() / published() on a queryset, or visible_q() on a related path.


def can_see_unpublished(user, model) -> bool:
    if user is None or not user.is_authenticated:
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def visible_q(model, user=None, prefix="") -> models.Q:
    """The rule as a condition on a related path: visible_q(Actor, user, "actor__")."""
    if not issubclass(model, Publishable) or can_see_unpublished(user, model):
        return models.Q()
    return models.Q(**{f"{prefix}publication_status": Publishable.PublicationStatus.PUBLISHED})


def render_markdown_fields(obj, update_fields=None):
    """Render the Markdown fields of `obj` being saved; return the `<name>_html` fields written."""
    rendered = []
    for name in obj.markdown_fields:
        if update_fields is None or name in update_fields:
            setattr(obj, f"{name}_html", render_markdown(getattr(obj, name)))
            rendered.append(f"{name}_html")
    return rendered


class PublishableQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The entries `user` may see (None or an anonymous user: the public)."""
        return self.filter(visible_q(self.model, user))

    def published(self):
        """What the public sees, whoever asks: the site's pages show the same to everyone."""
        return self.visible_to(None)

    def archived(self):
        """Entries taken out of the directory: their pages answer 410, sync clients remove them."""
        return self.filter(publication_status=Publishable.PublicationStatus.ARCHIVED)


class PublishableManager(models.Manager.from_queryset(PublishableQuerySet)):
    # Fixtures and imports refer to entries by slug, never by primary key.
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Publishable(CleanText):
    """An entry that curators review before the public sees it."""

    class PublicationStatus(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        IN_REVIEW = "in_review", _("En relecture")
        PUBLISHED = "published", _("Publié")
        ARCHIVED = "archived", _("Archivé")

    publication_status = models.CharField(
        _("statut de publication"),
        max_length=20,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    sources = sources_field()
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True, db_index=True)

    # Optimistic locking: every save bumps the counter (see save()), so an editor
    # (admin form, API If-Match) can tell that the entry changed since it was read.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Who moved the entry through the review workflow last, and when
    # (curation/services.py is the only writer; the history keeps every step).
    status_changed_at = models.DateTimeField(_("statut modifié le"), null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("statut modifié par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Last editorial review (publication or an explicit "relu"): the data-quality
    # page lists published entries not reviewed for a year.
    reviewed_at = models.DateTimeField(_("relu le"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relu par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    archived_reason = models.TextField(_("motif d'archivage"), blank=True, editable=False)
    # The entry's row in the search index (communs/search_index.py writes it, search() joins it).
    search_documents = GenericRelation("communs.SearchDocument")

    objects = PublishableManager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(publication_status__in=["draft", "in_review", "published", "archived"]),
                name="%(app_label)s_%(class)s_publication_status_valid",
            ),
        ]

    # Markdown text fields; each has a `<name>_html` field holding its sanitised HTML, rendered here
    # once per save so that pages never render Markdown (communs/markdown.py says why).
    markdown_fields = ()

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        rendered = render_markdown_fields(self, update_fields)
        if update_fields is not None and rendered:
            kwargs["update_fields"] = [*update_fields, *rendered]
        # A plain counter rather than a timestamp: two saves within the same
        # microsecond still get distinct versions. Fixtures (raw saves) keep theirs.
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "version" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "version"]
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        return self.publication_status == self.PublicationStatus.PUBLISHED


class SearchDocumentManager(models.Manager):
    def get_queryset(self):
        # Documents noted for rewriting inside the current transaction are written before any
        # query reads them (communs/search_index.py).
        from communs import search_index

        search_index.flush()
        return super().get_queryset()


class SearchDocument(models.Model):
    """What search() reads: one row per searchable entry, holding its own texts and the public
    names it is found by (sectors, tags, actors…), folded (lower case, no accents).

    communs/search_index.py keeps it up to date from the models' `search_fields`: A fields go
    into `title`, B into `keywords`, C and D into `body`. The database indexes it its own way
    (migration communs/0001): on PostgreSQL a generated, GIN-indexed weighted tsvector (French
    stems and plain words) and a trigram index on the title; on SQLite an FTS5 table kept in
    step by triggers.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    title = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # What the list's facets count, as the public sees it: the FacetKey ids of the entry's facet
    # values, the rows a facet's aggregate would give for this entry alone (communs/search_index.py,
    # from the builder its app registers). A search page counts every facet in one pass over the
    # matching documents instead of joining each relation (communs.listing.count_facets); integers,
    # because grouping 250,000 of them for a common word cost half of grouping the keys' texts.
    # Null for models that register none. Nullable without default: SQLite adds the column in
    # place, keeping the full-text triggers of the table.
    facet_ids = models.JSONField(null=True, blank=True, editable=False)
    # Whether the public sees the entry (its model's visibility rule, communs.models.visible_q),
    # written with the document: a search counts its matches from the documents alone, without
    # joining each one to its entry (20,000 lookups for a word in a fifth of 100,000 entries). Null
    # for a document written before the column existed.
    public = models.BooleanField(null=True, editable=False)

    objects = SearchDocumentManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="communs_searchdocument_unique"),
        ]

    def __str__(self):
        return self.title.partition("\n")[0]


class FacetKey(models.Model):
    """One value a list's facet counts, with what it shows: `key` is the JSON text of
    [facet, value, label…] ("[\"sector\",\"sante\",\"Santé\"]"). The search documents carry the ids
    (SearchDocument.facet_ids); a renamed value gets a new key, and rebuild_search_index drops the
    keys no document uses any more."""

    key = models.TextField(unique=True)

    def __str__(self):
        return self.key


class Redirect(models.Model):
    """An address that used to name an entry: the slug of an entry merged into another (or renamed).

    The detail views and the API look here when a slug names no entry, and answer 301 to the entry
    that holds its content now, so links and bookmarks keep working after a merge.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    old_slug = models.SlugField("ancien identifiant", max_length=200)
    object_id = models.PositiveBigIntegerField("entrée")
    reason = models.CharField("raison", max_length=300, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "redirection"
        verbose_name_plural = "redirections"
        ordering = ["content_type", "old_slug"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "old_slug"], name="communs_redirect_unique_old_slug"),
        ]

    def __str__(self):
        return f"{self.old_slug} → {self.object_id}"

    @classmethod
    def target(cls, model, slug):
        """The published entry of `model` that `slug` used to name, or None."""
        row = cls.objects.filter(content_type=ContentType.objects.get_for_model(model), old_slug=slug).first()
        if row is None:
            return None
        return model.objects.published().filter(pk=row.object_id).first()

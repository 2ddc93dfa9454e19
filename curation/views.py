"""Public pages of the curation app: suggest an initiative, report a correction, read the history."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from actors.models import Actor
from curation.duplicates import find_duplicates
from curation.forms import CorrectionForm, ProposeForm
from curation.history import entry_history, public_history
from curation.models import Suggestion
from funding.models import FundingScheme
from initiatives.models import Initiative


def _setting(name, default):
    return getattr(settings, name, default)


def client_address(request):
    """The sender's address; X-Forwarded-For is read only as far as trusted proxies wrote it."""
    proxies = _setting("CURATION_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            # Entries left of the ones our proxies appended are client-controlled.
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _client_key(request):
    # The address is hashed with the secret key: the cache never holds a raw IP.
    address = client_address(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"curation:suggestions:{digest}"


def _rate_limited(request):
    """Count this POST against the sender's quota; True when the quota is already used up."""
    limit, window = _setting("CURATION_SUGGESTION_RATE", (5, 3600))
    key = _client_key(request)
    # The default cache is shared by every worker (Redis, or files on one machine: settings.CACHES),
    # and add() and incr() are atomic in both, so the quota holds whichever worker answers.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    if count == 1:
        # Redis's INCR on a key that expired just after Django checked it exists makes a key that
        # never expires: give the window its end again.
        cache.touch(key, timeout=window)
    return count > limit


def _refusal(request, template, context, message, status):
    context = {**context, "refusal": message}
    return render(request, template, context, status=status)


def _guard(request, template, context):
    """The checks that come before reading the form; a response when the request is refused."""
    max_bytes = _setting("CURATION_SUGGESTION_MAX_BYTES", 20_000)
    if int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes:
        return _refusal(
            request,
            template,
            context,
            gettext("Envoi refusé : il est trop volumineux (plus de %(size)s ko). Raccourcissez votre message.")
            % {"size": max_bytes // 1000},
            413,
        )
    if _rate_limited(request):
        return _refusal(
            request,
            template,
            context,
            gettext("Envoi refusé : trop de propositions envoyées depuis votre adresse. Réessayez dans une heure."),
            429,
        )
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def propose(request):
    template = "curation/propose.html"
    context = {"sent": request.GET.get("envoye") == "1", "duplicates": []}
    if request.method != "POST":  # GET or HEAD: the empty form
        context["form"] = ProposeForm()
        return render(request, template, context)
    context["form"] = form = ProposeForm(request.POST)
    refused = _guard(request, template, context)
    if refused:
        return refused
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    if not data["confirm_not_duplicate"]:
        # Only published entries are shown to the public; drafts stay private.
        duplicates = [
            d
            for d in find_duplicates(
                Initiative,
                name=data["name"],
                acronym=data["acronym"],
                website=data["website"],
                repository_url=data["repository_url"],
            )
            if d.obj.is_published
        ]
        if duplicates:
            context["duplicates"] = duplicates
            return render(request, template, context)
    Suggestion.objects.create(
        kind=Suggestion.Kind.NEW,
        **{
            f: data[f]
            for f in (
                "name",
                "acronym",
                "kind_of_initiative",
                "summary",
                "website",
                "repository_url",
                "message",
                "submitter_name",
                "submitter_email",
            )
        },
    )
    return redirect(reverse("curation:propose") + "?envoye=1")


@require_http_methods(["GET", "HEAD", "POST"])
def report_correction(request, slug):
    initiative = get_object_or_404(Initiative.objects.published(), slug=slug)
    template = "curation/correction.html"
    context = {"initiative": initiative, "sent": request.GET.get("envoye") == "1"}
    if request.method != "POST":  # GET or HEAD: the empty form
        context["form"] = CorrectionForm()
        return render(request, template, context)
    context["form"] = form = CorrectionForm(request.POST)
    refused = _guard(request, template, context)
    if refused:
        return refused
    if not form.is_valid():
        return render(request, template, context, status=400)
    data = form.cleaned_data
    with transaction.atomic():
        Suggestion.objects.create(
            kind=Suggestion.Kind.CORRECTION,
            initiative=initiative,
            **{
                f: data[f]
                for f in (
                    "name",
                    "summary",
                    "website",
                    "repository_url",
                    "message",
                    "submitter_name",
                    "submitter_email",
                )
            },
        )
    return redirect(reverse("curation:correction", args=[initiative.slug]) + "?envoye=1")


# The history pages of the three public kinds of entry; each shows the changes of the entry's own
# public fields, and an initiative's page those of its involvements and awards too.
def _history_page(request, entry, changes, scope=None, correction_url=None):
    scope = scope or gettext("de la fiche")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    context = {"entry": entry, "page": page, "scope": scope, "correction_url": correction_url}
    return render(request, "curation/history.html", context)


def initiative_history(request, slug):
    initiative = get_object_or_404(Initiative.objects.published(), slug=slug)
    return _history_page(
        request,
        initiative,
        public_history(initiative),
        scope=gettext("de la fiche, de ses acteurs et de ses financements"),
        correction_url=reverse("curation:correction", args=[initiative.slug]),
    )


def actor_history(request, slug):
    actor = get_object_or_404(Actor.objects.published(), slug=slug)
    return _history_page(request, actor, entry_history(actor))


def scheme_history(request, slug):
    scheme = get_object_or_404(FundingScheme.objects.published(), slug=slug)
    return _history_page(request, scheme, entry_history(scheme))

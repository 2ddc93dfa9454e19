"""Site-wide template helpers, loaded by every app's templates (`{% load directory %}`): sanitised
Markdown, amounts, safe links, canonical addresses, the sources an entry cites."""

import re

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, ngettext, override

from communs.locale import as_content as mark_safe_content
from communs.locale import content_lang_attribute
from communs.markdown import render_markdown
from communs.sources import cite, cited_keys, source_catalogue

register = template.Library()

_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _demote_headings(html, below):
    # A description's "# Title" must not become a second h1 on the page, nor jump
    # over the page's own heading levels: shift every heading under `below`.
    def shift(match):
        level = min(int(match.group(2)) + below, 6)
        return f"<{match.group(1)}h{level}"

    return _HEADING.sub(shift, html)


@register.filter
def markdown(text, below=2):
    """Render Markdown, sanitise it, and start its headings under level `below` (for short texts:
    the descriptions of entries are rendered when saved, see markdown_of)."""
    return mark_safe(_demote_headings(render_markdown(text), int(below)))


@register.simple_tag
def markdown_of(entry, name, below=2):
    """The stored HTML of an entry's Markdown field (rendered by Publishable.save()), its headings
    under level `below`. An entry saved raw (fixtures) without it is rendered here, bounded by
    the field's size limit."""
    html = getattr(entry, f"{name}_html", "")
    if not html and getattr(entry, name, ""):
        html = render_markdown(getattr(entry, name))
    return mark_safe(_demote_headings(html, int(below)))


@register.filter
def euros(value):
    """1700000 -> "1 700 000 €" (narrow no-break spaces, as French typography wants)."""
    if value is None or value == "":
        return ""
    number = int(round(float(value)))
    return f"{number:,}".replace(",", "\u202f") + "\u00a0€"


@register.filter
def startswith(text, prefix):
    return str(text or "").startswith(str(prefix))


@register.filter
def safe_url(url):
    """Only web and mail links become hrefs: a javascript: URL slipped into data renders as nothing."""
    url = str(url or "").strip()
    return url if url.lower().startswith(("http://", "https://", "mailto:")) else ""


@register.filter
def contact_href(contact):
    """A contact point is an e-mail address or a URL; anything else is shown as text only."""
    contact = str(contact or "").strip()
    if contact.lower().startswith(("http://", "https://", "mailto:")):
        return contact
    if "@" in contact and " " not in contact:
        return f"mailto:{contact}"
    return ""


# The five source documents of the demo data (../shared/seeds/README.md), by file name.
@register.simple_tag
def cited_sources(items):
    """An entry's citations with their Source records' titles, publishers and links (one query)."""
    catalogue = source_catalogue(cited_keys(items)) if cited_keys(items) else {}
    blank = {"source": "", "document": "", "url": "", "note": "", "title": "", "publisher": "", "date": ""}
    return [{**blank, **item} for item in cite(items, catalogue) if isinstance(item, dict)]


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's address without its query string: what search engines index and shared links show
    (a filtered, sorted or paginated list is the same page as far as they are concerned)."""
    request = context["request"]
    return f"{request.scheme}://{request.get_host()}{request.path}"


@register.filter
def criteria_summary_text(summary):
    """ "4 critères sur 5 remplis, 3 avec preuve" from Initiative.criteria_summary (French: 0 and 1
    take the singular, as locale/fr's plural rule says)."""
    met = summary["met"]
    text = ngettext(
        "%(met)s critère sur %(total)s rempli, %(evidence)s avec preuve",
        "%(met)s critères sur %(total)s remplis, %(evidence)s avec preuve",
        met,
    )
    return text % {"met": met, "total": summary["total"], "evidence": summary["with_evidence"]}


@register.filter
def unprefixed(path):
    """A page's path without its language prefix ("/en/acteurs/" -> "/acteurs/"): what the menu
    compares to know which section is open."""
    for code, _name in settings.LANGUAGES:
        if path == f"/{code}/" or path.startswith(f"/{code}/"):
            return path[len(code) + 1 :]
    return path


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in each language of the interface: code, name in that language, absolute URL
    (the query string kept), and whether it is the current one. For the language selector and the
    hreflang links."""
    request = context["request"]
    current = get_language()
    versions = []
    for code, _name in settings.LANGUAGES:
        if context.get("language_home"):
            with override(code):
                path = reverse("home")
        else:
            path = translate_url(request.get_full_path(), code)
        versions.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": path,
                "absolute_url": request.build_absolute_uri(path),
                "current": code == current,
            }
        )
    return versions


@register.simple_tag
def content_lang():
    """' lang="fr"' on an element holding entered content, on a page not in French (see communs.locale)."""
    return mark_safe(content_lang_attribute())


@register.filter(is_safe=True)
def as_content(text):
    """Entered text inline within interface text: in <span lang="fr"> on a page not in French."""
    return mark_safe_content(text)


FACET_OPTION = (
    '<div class="fr-fieldset__element">\n'
    '  <div class="fr-checkbox-group fr-checkbox-group--sm" data-option="{value}" data-count="{count}">\n'
    '    <input type="checkbox" name="{name}" value="{value}" id="{name}-{index}"{checked}>\n'
    '    <label class="fr-label" for="{name}-{index}">{label} <span class="annuaire-count">({shown})</span></label>\n'
    "  </div>\n"
    "</div>\n"
)


@register.simple_tag
def facet_option(facet, option, index):
    """One checkbox of a facet (includes/_facets.html). Formatted here rather than by an included
    template: a search page has up to 600 options, and including a template for each took about a
    third of the page's rendering."""
    return format_html(
        FACET_OPTION,
        value=option["value"],
        count=option["count"],
        name=facet["name"],
        index=index,
        checked=mark_safe(" checked") if option["checked"] else "",
        label=as_content(option["label"]) if facet["content"] else option["label"],
        shown=option.get("shown") or option["count"],
    )

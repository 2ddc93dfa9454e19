"""Markdown of the descriptions: bounded in size, rendered once when the entry is saved.

Why stored HTML rather than rendering in the template: even a linear-time renderer costs tens of
milliseconds on a long description, and Python-Markdown, used before, is quadratic on some inputs
(4,990 "[" took 3.8 s of CPU per view) and recursed until a RecursionError on nested lists
("- - - … x"). So:

- the Markdown fields are limited to MARKDOWN_MAX_LENGTH characters (a model validator: the admin,
  the API and imports show the same French message);
- the renderer is markdown-it-py (CommonMark, linear time, nesting capped by maxNesting), and any
  failure, or a text over the limit saved without validation, falls back to escaped plain text;
- Publishable.save() stores the sanitised HTML beside the text (`<field>_html`), so that a page
  only reads it and shifts its headings: no view spends more than a regex on Markdown.
"""

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

MARKDOWN_MAX_LENGTH = 10_000

# What a description may contain once rendered; everything else (script, style, event handlers,
# iframes, javascript: URLs) is dropped by nh3.
ALLOWED_TAGS = {
    *("a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "hr", "li", "ol", "p", "pre"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "s", "strong", "sub", "sup"),
    *("table", "tbody", "td", "th", "thead", "tr", "ul"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}

MAX_NESTING = 20
# Raw HTML only inline: an HTML block would carry the rest of its lines through as raw text, where
# Markdown links (and their javascript: URLs) are not parsed for nh3 to clean.
_renderer = (
    MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable(["table", "strikethrough"]).disable("html_block")
)
# Every link is kept for nh3 to judge (it drops javascript: and data: hrefs); markdown-it's own check
# would leave "[x](javascript:…)" as visible source text instead.
_renderer.validateLink = lambda url: True


def validate_markdown(value) -> None:
    if value and len(value) > MARKDOWN_MAX_LENGTH:
        raise ValidationError(
            _(
                "Ce texte compte %(length)s caractères : %(limit)s au plus. Raccourcissez-le ou renvoyez vers "
                "une page du site du projet."
            ),
            code="markdown_too_long",
            params={"length": f"{len(value):,}".replace(",", "\u202f"), "limit": "10\u202f000"},
        )


def _deepest(tokens) -> int:
    deepest, stack = 0, list(tokens)
    while stack:
        token = stack.pop()
        deepest = max(deepest, token.level)
        stack.extend(token.children or ())
    return deepest


def render_markdown(text) -> str:
    """Sanitised HTML of a Markdown text (headings as written; the page shifts them)."""
    text = str(text or "")
    if not text.strip():
        return ""
    if len(text) > MARKDOWN_MAX_LENGTH:
        # Saved without validation (shell, raw SQL): shown as plain text rather than risk a slow render.
        return linebreaks(escape(text))
    try:
        env = {}
        tokens = _renderer.parse(text, env)
    except RecursionError:
        return linebreaks(escape(text))
    if _deepest(tokens) >= MAX_NESTING - 1:
        # markdown-it stops parsing at maxNesting and drops what lies deeper: show the text instead.
        return linebreaks(escape(text))
    html = _renderer.renderer.render(tokens, _renderer.options, env)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_saved(apps, app_label, model_name, fields):
    """For data migrations: store the HTML of the Markdown texts already saved in `fields`."""
    model = apps.get_model(app_label, model_name)
    for entry in model._base_manager.only("pk", *fields).iterator():
        rendered = {f"{name}_html": render_markdown(getattr(entry, name)) for name in fields}
        model._base_manager.filter(pk=entry.pk).update(**rendered)

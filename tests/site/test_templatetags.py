"""The Markdown filter: rendered, sanitised, headings kept under the page's own."""

from communs.templatetags.directory import contact_href, euros, markdown, safe_url


def test_markdown_renders_and_demotes_headings():
    html = markdown("# Titre\n\n## Sous-titre\n\n* un\n* deux\n\n[lien](https://example.org)", 2)
    assert "<h3>Titre</h3>" in html and "<h4>Sous-titre</h4>" in html
    assert "<li>un</li>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_markdown_strips_everything_dangerous():
    html = markdown(
        '<script>alert(1)</script><img src=x onerror=alert(2)><iframe src="https://evil"></iframe>'
        '<a href="javascript:alert(3)">x</a><p style="color:red" onclick="alert(4)">p</p>'
        "[y](javascript:alert(5)) <svg onload=alert(6)></svg>"
    )
    for needle in ["<script", "onerror", "<img", "<iframe", "javascript:", "onclick", "style=", "<svg", "onload"]:
        assert needle not in html


def test_empty_markdown():
    assert markdown("") == "" and markdown(None) == ""


def test_url_helpers():
    assert safe_url("javascript:alert(1)") == ""
    assert safe_url(" https://ok.example ") == "https://ok.example"
    assert contact_href("equipe@example.org") == "mailto:equipe@example.org"
    assert contact_href("Écrire à l'équipe") == ""
    assert euros(1700000) == "1\u202f700\u202f000\u00a0€"

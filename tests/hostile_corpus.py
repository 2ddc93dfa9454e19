"""Hostile values, sent by tests/browser/test_hostile_corpus.py through every form and API field.

Each script payload sets `window.__pwned` to its own id, so that a page where one ran says which.
"""

from urllib.parse import quote


def _pwn(name):
    return f"window.__pwned='{name}'"


CORPUS = [
    ("script", f"<script>{_pwn('script')}</script>"),
    ("script-upper", f"<SCRIPT>{_pwn('script-upper')}</SCRIPT>"),
    ("script-split", f"<scr<script>ipt>{_pwn('script-split')}</scr</script>ipt>"),
    ("img-onerror", f'<img src=x onerror="{_pwn("img-onerror")}">'),
    ("svg-onload", f'<svg onload="{_pwn("svg-onload")}"><circle r=1 /></svg>'),
    ("attr-breakout", f'"><img src=x onerror="{_pwn("attr-breakout")}">'),
    ("single-quote-breakout", f"'><svg/onload={_pwn('single-quote-breakout').replace(chr(39), '`')}>"),
    ("js-url", f"javascript:{_pwn('js-url')}"),
    ("js-url-obfuscated", f"  JaVaScRiPt&#58;{_pwn('js-url-obfuscated')}"),
    ("data-url", f"data:text/html,<script>{_pwn('data-url')}</script>"),
    ("iframe-srcdoc", f'<iframe srcdoc="<script>parent.{_pwn("iframe-srcdoc")}</script>"></iframe>'),
    ("broken-html", f'<div><b><i>pas fermé <a href=\'x <p onclick="{_pwn("broken-html")}">'),
    (
        "style-expression",
        f"<style>@import 'javascript:{_pwn('style-expression')}';</style><p style=\"x:expression(1)\">",
    ),
    ("md-js-link", f"[cliquez](javascript:{_pwn('md-js-link')})"),
    ("md-img-attr", f'![x](x" onerror="{_pwn("md-img-attr")})'),
    ("md-ref-link", f"[ici][r]\n\n[r]: javascript:{_pwn('md-ref-link')}"),
    ("md-autolink", f"<javascript:{_pwn('md-autolink')}>"),
    ("md-data-link", f"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) {_pwn('md-data-link')}"),
    ("template", "{{ 7*7 }} {% debug %} {{ request.META }} ${7*7} #{7*7}"),
    ("sql", "'; DROP TABLE initiatives_initiative; -- \" OR 1=1 --"),
    ("null-byte", "avant\x00après"),
    ("lone-surrogate", "avant\ud800après"),
    ("rtl-override", "commun\u202egpj.exe\u202c"),
    ("zero-width", "co\u200bmm\u200cun\u200d\ufeff"),
    ("emoji", "Commun 🏛️👩🏽‍💻🇫🇷 " + "🙂" * 50),
    ("crlf", "a\r\nSet-Cookie: x=y\r\n\r\n<html>"),
    ("path-traversal", "../../../../etc/passwd %2e%2e%2f ..\\..\\windows"),
    ("huge-number", "9" * 400),
    ("negative-exponent", "-1e308"),
    ("unicode-tricks", "ｓｃｒｉｐｔ ＜script＞ Å Å ﬁ ℌ \u0301\u0301\u0301 İ"),
    ("nested-list", "- " * 1000 + "x"),
    ("nested-brackets", "[" * 5000),
    ("nested-quotes", ">" * 1000 + " x"),
    ("long-10k", "commun " * 1500),
    ("long-50k", "x" * 50_000),
]
IDS = [name for name, _ in CORPUS]
BY_NAME = dict(CORPUS)

# Values PostgreSQL (or any UTF-8 database) cannot store: every write must refuse them with a 400.
UNSTORABLE = {"null-byte", "lone-surrogate"}


def form_body(data):
    """An urlencoded body or query string, as a browser sends it; a lone surrogate goes as its raw
    UTF-8 bytes (what a hand-made request can send), where the test client would raise."""
    return "&".join(f"{quote(key)}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}" for key, value in data)


# Is any script payload live in this document? Executed or not (the CSP may have blocked it): a
# <script> or event handler carrying `__pwned`, any javascript: URL, a data: link or frame.
LIVE_PAYLOAD_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    // A JSON-LD block is data, never run: the hostile text may sit in it as long as the block is
    // still one whole JSON document (the text did not close the tag and escape).
    let data = false;
    if (el.tagName === 'SCRIPT' && el.type === 'application/ld+json') {
      try { JSON.parse(el.textContent); data = true; } catch (error) { found.push(el.outerHTML.slice(0, 200)); }
    }
    if (!data && ['SCRIPT', 'STYLE'].includes(el.tagName) && el.textContent.includes('__pwned')) found.push(el.outerHTML);
    if (el.tagName === 'IFRAME' && (el.getAttribute('srcdoc') || '').includes('__pwned')) found.push(el.outerHTML);
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      const handler = attr.name.startsWith('on') && attr.value.includes('__pwned');
      const isUrl = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'].includes(attr.name);
      const dataUrl = value.startsWith('data:') && !['IMG', 'SOURCE'].includes(el.tagName);
      const link = isUrl && (value.startsWith('javascript:') || dataUrl);
      if (handler || link) found.push(el.outerHTML.slice(0, 200));
    }
  }
  return found;
}"""

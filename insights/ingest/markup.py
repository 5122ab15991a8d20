"""HTML e-mail bodies to plain text (BeautifulSoup with the standard-library parser).

Scripts, styles and heads are dropped, never run; block elements and <br> become line breaks;
<blockquote> contents become "> " lines and <hr> a rule line, so the cleaner recognises quoted
replies in HTML mail the way it does in plain text.
"""

from __future__ import annotations

import re

_HTML_HINT = re.compile(
    r"<(?:html|body|div|p|br|span|table|tr|td|blockquote|a|b|i|u|strong|em|ul|ol|li|font|img|"
    r"h[1-6]|hr|pre|meta|head|style|script)\b[^>]*>",
    re.IGNORECASE,
)
_CLOSE_HINT = re.compile(r"</\w+\s*>|<br\s*/?>", re.IGNORECASE)
_BLOCKS = (
    "p", "div", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
    "section", "article", "header", "footer", "address", "dl", "dt", "dd",
)  # fmt: skip
_DROP = ("script", "style", "head", "title", "meta", "noscript", "template", "svg", "object")
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """True for a body with real markup (an opening tag and a closing tag or <br>)."""
    return bool(_HTML_HINT.search(text)) and bool(_CLOSE_HINT.search(text))


def html_to_text(html: str) -> str:
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for hr in soup.find_all("hr"):
        hr.replace_with(NavigableString("\n________________\n"))
    for quote in reversed(soup.find_all("blockquote")):
        inner = _tidy(_block_text(quote))
        quoted = "\n".join("> " + line if line else ">" for line in inner.split("\n"))
        quote.replace_with(NavigableString(f"\n{quoted}\n"))
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before(NavigableString("\n"))
        tag.insert_after(NavigableString("\n"))
    return _tidy(soup.get_text())


def _block_text(tag) -> str:
    from bs4 import NavigableString

    for inner in tag.find_all(_BLOCKS):
        inner.insert_before(NavigableString("\n"))
        inner.insert_after(NavigableString("\n"))
    return tag.get_text()


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def to_text(body: str) -> str:
    """Plain text of a message body: HTML converted, anything else as it is."""
    return html_to_text(body) if looks_like_html(body) else body

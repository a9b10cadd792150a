"""HTML page -> visible article text, <title>, first <h1>, publication date; one linear pass.

A small tokenizer of its own rather than html.parser: the standard parser of Python 3.11
rescans unclosed comments and start tags from the start on every attempt (72 KB of
`<a href="` took 10 s, 8,000 unclosed `<!--` 1 s and growing x4-6 per doubling) and
raises AssertionError on some bogus markup. Here every character is looked at a bounded
number of times: a tag may be at most 4 KB long (a longer one is text), a comment or a
script runs to its end or to the end of the page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

__all__ = ["PageText", "page_text"]

SKIP = {"script", "style", "nav", "header", "footer", "aside", "form", "button", "noscript", "svg", "iframe", "select"}
BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote", "time"}
RAW_TEXT = {"script", "style"}  # their content is never markup
_DATE_META = ("article:published_time", "date", "pubdate", "publishdate", "og:published_time")

_TOKEN = re.compile(r"<!--|<(/?)([a-zA-Z][a-zA-Z0-9:_-]*)([^<>]{0,4096}?)(/?)>|<[!?][^<>]{0,4096}>")
_ATTR = re.compile(r"""([^\s=/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]*))?""")
_RAW_END = {tag: re.compile(rf"</{tag}\s*>", re.I) for tag in RAW_TEXT}


@dataclass
class PageText:
    parts: list = field(default_factory=list)
    title: str | None = None
    h1: str | None = None
    published: str | None = None
    skip_depth: int = 0
    inside: str | None = None  # "title" or "h1" while in one

    @property
    def body(self) -> str:
        return "".join(self.parts)

    def start(self, tag: str, attrs: dict) -> None:
        if tag in SKIP:
            self.skip_depth += 1
        if tag in ("title", "h1"):
            self.inside = tag
        if tag == "meta" and (attrs.get("property") or attrs.get("name") or "") in _DATE_META:
            self.published = self.published or attrs.get("content")
        if tag == "time" and attrs.get("datetime"):
            self.published = self.published or attrs["datetime"]
        if tag in BLOCK:
            self.parts.append("\n")

    def end(self, tag: str) -> None:
        if tag in SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag == self.inside:
            self.inside = None
        if tag in BLOCK:
            self.parts.append("\n")

    def data(self, text: str) -> None:
        if self.inside == "title" and not self.title:
            self.title = text.strip() or None
            return
        if self.skip_depth:
            return
        if self.inside == "h1" and not self.h1:
            self.h1 = text.strip() or None
        self.parts.append(text)


def page_text(markup: str) -> PageText:
    """Walk `markup` once: text between tags (entities decoded), tags, comments skipped."""
    page = PageText()
    pos, end = 0, len(markup)
    while pos < end:
        m = _TOKEN.search(markup, pos)
        if m is None:
            page.data(html.unescape(markup[pos:]))
            break
        if m.start() > pos:
            page.data(html.unescape(markup[pos:m.start()]))
        pos = m.end()
        token = m.group(0)
        if token == "<!--":
            close = markup.find("-->", pos)
            pos = end if close < 0 else close + 3
            continue
        tag = (m.group(2) or "").lower()
        if not tag:  # <!DOCTYPE ...>, <?xml ...?>, <![CDATA[...]]>: nothing to show
            continue
        if m.group(1):
            page.end(tag)
            continue
        page.start(tag, _attributes(m.group(3)))
        if m.group(4):
            page.end(tag)
        elif tag in RAW_TEXT:
            close = _RAW_END[tag].search(markup, pos)
            pos = end if close is None else close.end()
            page.end(tag)
    return page


def _attributes(text: str) -> dict:
    attrs = {}
    for m in _ATTR.finditer(text):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        attrs.setdefault(m.group(1).lower(), html.unescape(value))
    return attrs

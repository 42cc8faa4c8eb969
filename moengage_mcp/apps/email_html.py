"""Email HTML as the preview shows it: every URL it points at, and marks on personalised
values that rendered empty or unresolved.

The HTML is workspace data written by others. Nothing here runs or trusts it: links are
collected as text for the app to list (never to click through), and marks are inserted only
where the HTML is displayed text, never inside a tag, a comment or a `<style>`/`<head>`.
"""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser
from typing import Literal

from pydantic import BaseModel

from .pieces import Span, expression_name

LinkKind = Literal["link", "image", "resource"]

_URL_ATTRIBUTES = {"href", "src", "background", "action", "poster", "srcset", "data", "formaction"}
_IMAGE_TAGS = {"img", "image", "picture", "source"}
_LINK_TAGS = {"a", "area"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]+)\1\s*\)""", re.IGNORECASE)

_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"  # comment
    r"|<[!?][^>]*>"  # doctype, processing instruction
    r"""|<(?P<close>/?)(?P<tag>[A-Za-z][\w:-]*)(?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.DOTALL,
)
_RAW_TEXT = {"style", "script", "title", "textarea", "noscript", "template", "xmp"}


class Link(BaseModel):
    """One URL the email points at, as written (entities decoded)."""

    kind: LinkKind
    url: str
    tag: str
    """The element (`a`, `img`, ...) or `css` for a `url(...)` in a style."""
    text: str | None = None
    """The link's visible text, or an image's alt text."""


def email_links(html: str) -> list[Link]:
    """Every href, src (and the like) and CSS `url()` in document order."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return collector.links


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self._anchor: tuple[Link, list[str]] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value}
        for name, value in values.items():
            if name in _URL_ATTRIBUTES:
                for url in _srcset_urls(value) if name == "srcset" else [value.strip()]:
                    self._add(tag, name, url, values.get("alt"))
        if "style" in values:
            self._css(values["style"])
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag in _LINK_TAGS and self._anchor:
            link, words = self._anchor
            link.text = " ".join(" ".join(words).split()) or link.text
            self._anchor = None
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)
        elif self._anchor:
            self._anchor[1].append(data)

    def _add(self, tag: str, attribute: str, url: str, alt: str | None) -> None:
        if not url:
            return
        kind: LinkKind = (
            "link"
            if tag in _LINK_TAGS or tag == "form"
            else "image"
            if tag in _IMAGE_TAGS or attribute == "background"
            else "resource"
        )
        link = Link(kind=kind, url=url, tag=tag, text=alt if kind == "image" else None)
        self.links.append(link)
        if tag in _LINK_TAGS:
            self._anchor = (link, [])
        elif kind == "image" and self._anchor and alt and not self._anchor[0].text:
            self._anchor[0].text = alt  # an image link is named by its image's alt text

    def _css(self, css: str) -> None:
        for match in _CSS_URL.finditer(css):
            self.links.append(Link(kind="image", url=match.group("url").strip(), tag="css"))


def _srcset_urls(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]


def text_regions(html: str) -> list[tuple[int, int]]:
    """The stretches of `html` that are displayed text: between tags, outside comments, raw-text
    elements (`<style>`, `<title>`, ...) and `<head>`. Empty stretches count (a value that
    rendered empty between two tags sits in one)."""
    regions: list[tuple[int, int]] = []
    last, raw, in_head = 0, None, False
    for token in _TOKEN.finditer(html):
        tag = (token.group("tag") or "").lower()
        closing = bool(token.group("close"))
        if raw is not None:
            if closing and tag == raw:
                raw, last = None, token.end()
            continue
        if not in_head:
            regions.append((last, token.start()))
        if tag == "head":
            in_head = not closing
        elif tag == "body":
            in_head = False
        elif tag in _RAW_TEXT and not closing:
            raw = tag
        last = token.end()
    if raw is None and not in_head:
        regions.append((last, len(html)))
    return regions


def mark_issues(html: str, found: list[Span]) -> tuple[str, list[Span]]:
    """`html` with each problem span in displayed text wrapped in `<mark data-moe-issue>` (an
    empty one gets the expression's name as its visible label), and the problem spans that sit
    elsewhere (in an attribute such as a link's URL), which cannot be marked."""
    regions = text_regions(html)
    out: list[str] = []
    unmarked: list[Span] = []
    last = 0
    for span in sorted((s for s in found if s.issue), key=lambda s: s.start):
        if not any(start <= span.start and span.end <= end for start, end in regions):
            unmarked.append(span)
            continue
        title = htmllib.escape(
            f"{{{{{span.expr}}}}} rendered {'empty' if span.issue == 'empty' else 'unresolved'}"
        )
        shown = (
            htmllib.escape(expression_name(span.expr))
            if span.issue == "empty"
            else html[span.start : span.end]
        )
        out.append(html[last : span.start])
        out.append(f'<mark data-moe-issue="{span.issue}" title="{title}">{shown}</mark>')
        last = span.end
    out.append(html[last:])
    return "".join(out), unmarked

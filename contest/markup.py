"""Organisers' Markdown (a contest's rules, prizes and news) turned into HTML that is safe to show the public:
Markdown first, then the nh3 sanitiser (Ammonia), which keeps only the tags and attributes below and links to
http(s) and mailto. Raw HTML an organiser types is sanitised the same way, so no script, event handler
(``onclick``), ``javascript:`` link, style or iframe reaches a page, whatever the Markdown library lets through."""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup

TAGS = frozenset({"a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol",
                  "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"})
ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
TEXT_MAX = 20_000
HEADING_SHIFT = 2  # the text sits under the page's h1 and its section's h2: its "#" is an h3
HEADING = re.compile(r"<(/?)h([1-6])>")


def render(text: str | None) -> Markup:
    """``text`` (Markdown) as sanitised HTML; links open with ``rel="noopener noreferrer nofollow"``, headings
    go ``HEADING_SHIFT`` levels down (to h6 at most)."""
    if not text:
        return Markup("")
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=set(TAGS), attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
                      url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer nofollow")
    # nh3 leaves no attribute on a heading, so its tags are exactly <hN> and </hN>.
    return Markup(HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + HEADING_SHIFT, 6)}>", clean))

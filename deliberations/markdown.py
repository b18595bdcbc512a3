"""Markdown of the statements of reasons, sanitised before display (web page and PDF)."""

import re

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "code",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}

# A statement sits under the page's own headings: its # and ## become level 3.
_TOP_HEADINGS = re.compile(r"<(/?)h[12]>")


def render_markdown(text):
    """Markdown → HTML safe to mark as such: scripts, styles and event handlers removed."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists", "tables"])
    html = _TOP_HEADINGS.sub(r"<\1h3>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )

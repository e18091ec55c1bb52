"""The plain-text format of service pages, turned into safe HTML.

Paragraphs are separated by a blank line. A line starting ``## `` is a heading (``### `` a
smaller one); lines starting ``- `` make a bulleted list; ``[words](address)`` is a link to an
``https://``, ``mailto:`` or ``tel:`` address or a path on this site (``/privacy``). Everything
else is text: HTML is never passed through, so a page cannot carry a script or a style.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")
SAFE_ADDRESS = re.compile(r"^(https://|mailto:|tel:|/(?!/))")
TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def bad_links(text: str) -> list[str]:
    """The link addresses in ``text`` that are not allowed."""
    return [address for _, address in LINK.findall(text) if not SAFE_ADDRESS.match(address)]


def html_tags(text: str) -> list[str]:
    """Anything in ``text`` that looks like an HTML tag (shown as text, never as HTML)."""
    return TAG.findall(text)


def _inline(text: str) -> Markup:
    out = Markup("")
    position = 0
    for match in LINK.finditer(text):
        words, address = match.groups()
        out += escape(text[position : match.start()])
        if SAFE_ADDRESS.match(address):
            out += Markup('<a class="govuk-link" href="{}">{}</a>').format(address, words)
        else:
            out += escape(match.group(0))
        position = match.end()
    return out + escape(text[position:])


def _close(paragraph: list[str], bullets: list[str]) -> Markup:
    """The paragraph or list gathered so far, as HTML; empties both."""
    out = Markup("")
    if paragraph:
        body = Markup("<br>").join(_inline(line) for line in paragraph)
        out += Markup('<p class="govuk-body">{}</p>\n').format(body)
    if bullets:
        items = Markup("").join(Markup("<li>{}</li>").format(_inline(item)) for item in bullets)
        out += Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>\n').format(items)
    paragraph.clear()
    bullets.clear()
    return out


def render(text: str) -> Markup:
    """Safe HTML, with GOV.UK classes, for a page written in the format above."""
    html = Markup("")
    paragraph: list[str] = []
    bullets: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            html += _close(paragraph, bullets)
        elif line.startswith(("## ", "### ")):
            html += _close(paragraph, bullets)
            level, words = ("h3", line[4:]) if line.startswith("### ") else ("h2", line[3:])
            size = "govuk-heading-s" if level == "h3" else "govuk-heading-m"
            html += Markup('<{0} class="{1}">{2}</{0}>\n').format(level, size, _inline(words))
        elif line.startswith("- "):
            if paragraph:
                html += _close(paragraph, bullets)
            bullets.append(line[2:])
        else:
            if bullets:
                html += _close(paragraph, bullets)
            paragraph.append(line)
    return html + _close(paragraph, bullets)

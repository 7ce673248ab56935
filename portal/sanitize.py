"""The one HTML sanitiser: every stored rich-text body passes through ``clean_html``.

An allowlist (nh3) keeps what government documents need — paragraphs, headings, lists, tables
with colspan/rowspan, links, images, bold/italic/underline, sub/sup, alignment — and drops
everything else: scripts, event handlers, iframes, forms, javascript: and data: links, and
style properties outside a short list.
"""

import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span", "blockquote", "pre", "code",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "figure", "figcaption",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"style", "title", "lang", "dir"},
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "cellpadding", "cellspacing", "summary", "width"},
    "td": {"colspan", "rowspan", "align", "valign", "width", "height"},
    "th": {"colspan", "rowspan", "align", "valign", "width", "height", "scope"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type"},
    "p": {"align"},
    "div": {"align"},
}

ALLOWED_STYLE_PROPERTIES = {
    "text-align", "text-indent", "font-weight", "font-style", "text-decoration",
    "vertical-align", "width", "height", "margin-left", "line-height", "border-collapse",
}  # fmt: skip

URL_SCHEMES = {"http", "https", "mailto", "tel", "data"}

# Inline images the editor may paste; any other data: URL is dropped.
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$", re.IGNORECASE)
UNSAFE_STYLE = re.compile(r"expression|url\s*\(|javascript|behavior|@import|\\", re.IGNORECASE)
TARGETS = {"_blank", "_self"}


def _filter_attribute(element, attribute, value):
    if attribute in {"href", "src"}:
        stripped = value.strip()
        if stripped.lower().startswith("data:"):
            return (
                value
                if element == "img" and attribute == "src" and DATA_IMAGE.match(stripped)
                else None
            )
        return value
    if attribute == "style":
        return None if UNSAFE_STYLE.search(value) else value
    if attribute == "target":
        return value if value in TARGETS else None
    return value


def clean_html(html):
    """Sanitised HTML that is safe to render as is."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        filter_style_properties=ALLOWED_STYLE_PROPERTIES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()

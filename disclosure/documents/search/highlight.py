"""Escape first, then mark the query's words: what the user typed can never become markup."""

import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from disclosure.documents.search.analysis import normalise

SNIPPET_CHARS = 120


def _pattern(words):
    if not words:
        return None
    return re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )


def highlight(text, words):
    """``text`` escaped, with each occurrence of ``words`` wrapped in <mark>."""
    pattern = _pattern(words)
    if pattern is None:
        return escape(text)
    # Match on the NFKC form (full-width letters match half-width words); NFKC keeps CJK text
    # the same length, so positions carry over for the characters that matter here.
    plain = normalise(text)
    if len(plain) != len(text):
        plain = text.lower()
    out, last = [], 0
    for match in pattern.finditer(plain):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def snippet(html, words, size=SNIPPET_CHARS):
    """A stretch of the body's text around the first match, escaped and highlighted."""
    text = " ".join(strip_tags(html).split())
    pattern = _pattern(words)
    start = 0
    if pattern is not None:
        found = pattern.search(
            normalise(text) if len(normalise(text)) == len(text) else text.lower()
        )
        if found:
            start = max(0, found.start() - size // 3)
    piece = text[start : start + size]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + size < len(text) else ""
    return mark_safe(prefix + highlight(piece, words) + suffix)  # noqa: S308 - highlight() escapes

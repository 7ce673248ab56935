"""A body's changes as staff read them: the changed paragraphs side by side, with the words
that changed marked (``<del>`` in the old version, ``<ins>`` in the new), a little unchanged
text around each change, and nothing else (no navigation columns, no markup of the body)."""

import difflib
from html import unescape
from itertools import zip_longest

from django.utils.html import escape, format_html, format_html_join, strip_tags

CONTEXT_LINES = 2  # unchanged paragraphs shown around a change


def body_lines(html):
    """A body's text, a paragraph a line."""
    text = unescape(strip_tags((html or "").replace("</p>", "</p>\n").replace("<br>", "\n")))
    return [line.strip() for line in text.splitlines() if line.strip()]


def marked(old, new):
    """The two lines as HTML, what the new one took out in ``<del>`` and what it put in
    ``<ins>``."""
    before, after = [], []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            before.append(escape(old[i1:i2]))
            after.append(escape(new[j1:j2]))
            continue
        if i2 > i1:
            before.append(format_html("<del>{}</del>", old[i1:i2]))
        if j2 > j1:
            after.append(format_html("<ins>{}</ins>", new[j1:j2]))
    # Each part is escaped or built by format_html already: joining keeps them as they are.
    return (
        format_html_join("", "{}", ((part,) for part in before)),
        format_html_join("", "{}", ((part,) for part in after)),
    )


def _rows(old_lines, new_lines):
    """(class, old line number, old html, new line number, new html) for each shown row."""
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for number, group in enumerate(matcher.get_grouped_opcodes(CONTEXT_LINES)):
        if number:
            yield ("gap", "", "…", "", "…")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    yield ("same", i + 1, escape(old_lines[i]), j + 1, escape(new_lines[j]))
                continue
            pairs = zip_longest(range(i1, i2), range(j1, j2))
            for i, j in pairs:
                old = old_lines[i] if i is not None else None
                new = new_lines[j] if j is not None else None
                if old is not None and new is not None:
                    old_html, new_html = marked(old, new)
                    yield ("changed", i + 1, old_html, j + 1, new_html)
                elif old is not None:
                    yield ("removed", i + 1, format_html("<del>{}</del>", old), "", "")
                else:
                    yield ("added", "", "", j + 1, format_html("<ins>{}</ins>", new))


def body_diff_table(before, after):
    """The table of a body's changes (HTML), or a sentence when its text did not change."""
    rows = list(_rows(body_lines(before), body_lines(after)))
    if not rows:
        return format_html(
            '<p class="text-diff-none">{}</p>', "正文文字没有变化（可能只改了格式）。"
        )
    body = format_html_join(
        "",
        '<tr class="{}"><td class="line">{}</td><td>{}</td><td class="line">{}</td><td>{}</td></tr>',
        rows,
    )
    return format_html(
        '<table class="text-diff"><thead><tr><th scope="col">段</th><th scope="col">旧版本</th>'
        '<th scope="col">段</th><th scope="col">新版本</th></tr></thead><tbody>{}</tbody></table>',
        body,
    )

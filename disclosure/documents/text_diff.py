"""A body's changes as staff read them: the changed paragraphs side by side, with the words
that changed marked (``<del>`` in the old version, ``<ins>`` in the new), a little unchanged
text around each change, and nothing else (no navigation columns, no markup of the body)."""

import difflib
from html import unescape
from itertools import zip_longest

from django.utils.html import escape, format_html, format_html_join, strip_tags

CONTEXT_LINES = 2  # unchanged paragraphs shown around a change
# What difflib is given to compare at most, as the product of the two lengths (characters or
# paragraphs) once the common beginning and end are set aside: its matching grows with that
# product, and a paragraph of one character 10,000 times over took it 50 seconds.
DIFF_BUDGET = 250_000
# ... and in all for one table: many changed paragraphs, each within DIFF_BUDGET, add up.
TABLE_BUDGET = 8 * DIFF_BUDGET


class Budget:
    """What difflib may still be given to compare for one table (TABLE_BUDGET)."""

    def __init__(self, total=None):
        self.left = TABLE_BUDGET if total is None else total

    def spend(self, cost):
        """Whether a comparison of ``cost`` is affordable (DIFF_BUDGET each); if so, spent."""
        if cost > DIFF_BUDGET or cost > self.left:
            return False
        self.left -= cost
        return True


def _common_ends(a, b):
    """The lengths of the beginning and of the end ``a`` and ``b`` share (not overlapping)."""
    limit = min(len(a), len(b))
    start = 0
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


def opcodes(a, b, budget=None):
    """difflib's opcodes turning ``a`` into ``b``: the shared beginning and end equal, the rest
    compared by difflib within ``budget`` (a Budget), or else replaced whole."""
    start, end = _common_ends(a, b)
    a_end, b_end = len(a) - end, len(b) - end
    middle = []
    if (budget or Budget()).spend((a_end - start) * (b_end - start)):
        matcher = difflib.SequenceMatcher(None, a[start:a_end], b[start:b_end], autojunk=False)
        middle = [
            (tag, i1 + start, i2 + start, j1 + start, j2 + start)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    elif a_end > start or b_end > start:
        middle = [("replace", start, a_end, start, b_end)]
    codes = [("equal", 0, start, 0, start)] if start else []
    for code in [*middle, *([("equal", a_end, len(a), b_end, len(b))] if end else [])]:
        if codes and code[0] == "equal" and codes[-1][0] == "equal":
            codes[-1] = ("equal", codes[-1][1], code[2], codes[-1][3], code[4])
        else:
            codes.append(code)
    return codes


class _BoundedMatcher(difflib.SequenceMatcher):
    """A SequenceMatcher whose opcodes (and so grouped opcodes) come from ``opcodes``."""

    def __init__(self, a, b, budget):
        super().__init__(None, autojunk=False)
        self.a, self.b = a, b  # set_seqs would index b for difflib's own matching
        self.budget = budget

    def get_opcodes(self):
        return opcodes(self.a, self.b, self.budget)


def body_lines(html):
    """A body's text, a paragraph a line."""
    text = unescape(strip_tags((html or "").replace("</p>", "</p>\n").replace("<br>", "\n")))
    return [line.strip() for line in text.splitlines() if line.strip()]


def marked(old, new, budget=None):
    """The two lines as HTML, what the new one took out in ``<del>`` and what it put in
    ``<ins>``."""
    before, after = [], []
    for tag, i1, i2, j1, j2 in opcodes(old, new, budget):
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


def _rows(old_lines, new_lines, budget):
    """(class, old line number, old html, new line number, new html) for each shown row."""
    matcher = _BoundedMatcher(old_lines, new_lines, budget)
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
                    old_html, new_html = marked(old, new, budget)
                    yield ("changed", i + 1, old_html, j + 1, new_html)
                elif old is not None:
                    yield ("removed", i + 1, format_html("<del>{}</del>", old), "", "")
                else:
                    yield ("added", "", "", j + 1, format_html("<ins>{}</ins>", new))


def body_diff_table(before, after):
    """The table of a body's changes (HTML), or a sentence when its text did not change."""
    rows = list(_rows(body_lines(before), body_lines(after), Budget()))
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

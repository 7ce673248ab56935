"""The 错敏词 check: where a text uses a wrong form the dictionary (``WordRule``) lists.

``find_matches(text)`` scans a text; ``document_matches(document)`` the title, 文号, 关键词,
内容概述, body (HTML reduced to text, entities decoded) and attachment names of a document. The
active rules are compiled once per dictionary version (``WordRule.objects.version()``, one query
a check) into an Aho-Corasick automaton in pure Python: one pass over the text, whatever the
number of rules. A match inside one of the rule's correct phrases (its right form when that
contains the wrong one, or a listed exception) is not reported, and of matches starting at the
same place only the longest is, so a correct text yields nothing.

The workflow (``services``) warns at submit and blocks a publication or a revision's approval
on a 严重 match until a reviewer gives a reason; ``published_word_matches`` serves the
self-inspection of what is already public.
"""

import html
import re
import threading
from collections import deque
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from disclosure.documents import actions as document_actions
from disclosure.documents.models import Attachment, Document, WordRule
from portal import audit
from portal.actors import SYSTEM

CONTEXT = 20  # characters shown either side of a match

FIELDS = {
    "title": _("标题"),
    "doc_number": _("文号"),
    "keywords": _("关键词"),
    "summary": _("内容概述"),
    "body": _("正文"),
    "attachment": _("附件名称"),
}


@dataclass(frozen=True)
class Match:
    """One use of a wrong form: where (``field``, ``start`` in that field's text) and what."""

    start: int
    wrong: str
    right: str
    severity: str
    note: str = ""
    field: str = ""
    before: str = ""
    after: str = ""

    @property
    def end(self):
        return self.start + len(self.wrong)

    @property
    def severe(self):
        return self.severity == WordRule.Severity.SEVERE

    @property
    def field_label(self):
        return FIELDS.get(self.field, "")

    @property
    def severity_label(self):
        return WordRule.Severity(self.severity).label

    def summary(self):
        """What the audit log keeps of it."""
        return {"field": self.field, "wrong": self.wrong, "right": self.right}


@dataclass(frozen=True)
class _Rule:
    wrong: str
    right: str
    severity: str
    note: str
    exceptions: tuple  # (phrase, offset of the wrong form in it)


class Matcher:
    """An Aho-Corasick automaton over the wrong forms of ``rules`` (WordRule-like objects)."""

    def __init__(self, rules):
        self.rules = {}
        for rule in rules:
            exceptions = tuple(
                (phrase, offset)
                for phrase in rule.exception_list()
                for offset in _offsets(phrase, rule.wrong)
            )
            self.rules[rule.wrong] = _Rule(
                rule.wrong, rule.right, rule.severity, rule.note, exceptions
            )
        self._build(sorted(self.rules))

    def _build(self, words):
        goto, fail, out = [{}], [0], [()]
        for word in words:
            state = 0
            for char in word:
                following = goto[state].get(char)
                if following is None:
                    goto.append({})
                    fail.append(0)
                    out.append(())
                    following = goto[state][char] = len(goto) - 1
                state = following
            out[state] = (word,)
        queue = deque(goto[0].values())
        while queue:
            state = queue.popleft()
            for char, following in goto[state].items():
                queue.append(following)
                back = fail[state]
                while back and char not in goto[back]:
                    back = fail[back]
                fail[following] = goto[back].get(char, 0)
                # the longest word ending here first
                out[following] = out[following] + out[fail[following]]
        self._goto, self._fail, self._out = goto, fail, out

    def scan(self, text):
        """(start, wrong) of every occurrence of a wrong form in ``text``, in text order."""
        goto, fail, out = self._goto, self._fail, self._out
        found = []
        state = 0
        for index, char in enumerate(text):
            while state and char not in goto[state]:
                state = fail[state]
            state = goto[state].get(char, 0)
            if out[state]:
                found.extend((index + 1 - len(word), word) for word in out[state])
        found.sort(key=lambda item: (item[0], -len(item[1])))
        return found

    def matches(self, text, field=""):
        """The Matches of ``text``: excepted phrases left out; of those starting at one place,
        the longest; none inside a longer match already reported."""
        result = []
        reach = 0
        for start, wrong in self.scan(text):
            end = start + len(wrong)
            if end <= reach or _excepted(text, start, self.rules[wrong]):
                continue
            reach = max(reach, end)
            rule = self.rules[wrong]
            result.append(
                Match(
                    start,
                    wrong,
                    rule.right,
                    rule.severity,
                    rule.note,
                    field,
                    text[max(0, start - CONTEXT) : start],
                    text[end : end + CONTEXT],
                )
            )
        return result


def _offsets(phrase, word):
    offsets, at = [], phrase.find(word)
    while at != -1:
        offsets.append(at)
        at = phrase.find(word, at + 1)
    return offsets


def _excepted(text, start, rule):
    for phrase, offset in rule.exceptions:
        at = start - offset
        if at >= 0 and text.startswith(phrase, at):
            return True
    return False


_compiled = (None, None)
_compiling = threading.Lock()


def current_matcher():
    """The Matcher of the active rules, compiled again only when the dictionary changed."""
    global _compiled
    version = WordRule.objects.version()
    cached_version, matcher = _compiled
    if matcher is not None and cached_version == version:
        return matcher
    with _compiling:
        rules = WordRule.objects.filter(active=True).only(
            "wrong", "right", "severity", "note", "exceptions"
        )
        matcher = Matcher(rules)
        _compiled = (version, matcher)
    return matcher


def find_matches(text, field=""):
    """The Matches of the current dictionary in ``text`` (plain text)."""
    return current_matcher().matches(text or "", field)


# HTML is stored sanitised (portal.sanitize): its tags are well formed.
_BREAK = re.compile(
    r"<\s*(?:br|hr|/p|/div|/li|/tr|/td|/th|/h[1-6]|/blockquote|/table)\b[^>]*>", re.IGNORECASE
)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)


def html_text(markup):
    """``markup`` as the text a reader sees: tags dropped, block ends as line breaks,
    entities decoded."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", markup or "")))


def document_texts(document, attachment_names=None):
    """(field, text) of every place of ``document`` the check reads. ``attachment_names``
    defaults to its live attachments' names (one query)."""
    if attachment_names is None:
        attachment_names = (
            document.attachments.live().values_list("original_name", flat=True)
            if document.pk
            else []
        )
    yield "title", document.title
    yield "doc_number", document.doc_number
    yield "keywords", document.keywords
    yield "summary", document.summary
    yield "body", html_text(document.body)
    for name in attachment_names:
        yield "attachment", name


def document_matches(document, attachment_names=None):
    """The Matches of ``document``, field by field."""
    matcher = current_matcher()
    return [
        match
        for field, text in document_texts(document, attachment_names)
        for match in matcher.matches(text or "", field)
    ]


def revision_attachment_names(document, revision):
    """The attachment names ``document`` has once ``revision`` is approved."""
    removed = {
        c["old"] for c in revision.attachment_changes if c["change"] in ("replace", "delete")
    }
    kept = [
        name
        for pk, name in document.attachments.live().values_list("pk", "original_name")
        if pk not in removed
    ]
    added = [c["name"] for c in revision.attachment_changes if c["change"] in ("add", "replace")]
    return kept + added


def highlighted(text, matches):
    """``text`` escaped, each match wrapped in ``<mark>`` with the suggested form as its title.
    Only the dictionary's matches become markup; everything else stays text."""
    pieces, at = [], 0
    for match in sorted(matches, key=lambda m: m.start):
        if match.start < at:
            continue  # overlaps the previous mark; it is still listed
        pieces.append(text[at : match.start])
        pieces.append(
            format_html(
                '<mark class="word-{}" title="{}">{}</mark>',
                match.severity,
                _("建议：%(right)s") % {"right": match.right} if match.right else _("不应使用"),
                match.wrong,
            )
        )
        at = match.end
    pieces.append(text[at:])
    # format_html_join escapes the text pieces; the marks are already safe.
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def published_word_matches(severity=WordRule.Severity.SEVERE, chunk_size=500):
    """(document, matches) for every public document with matches of ``severity`` (None: any),
    for the self-inspection. Computed when asked, never stored, so it follows the dictionary:
    the documents stream in chunks with their live attachments (two queries a chunk) and the
    dictionary is compiled once."""
    matcher = current_matcher()
    documents = (
        Document.objects.public()
        .only("pk", "title", "doc_number", "keywords", "summary", "body", "agency_id")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.live().only("document_id", "original_name"),
                to_attr="live_attachments",
            )
        )
        .order_by("pk")
    )
    for document in documents.iterator(chunk_size=chunk_size):
        names = [a.original_name for a in document.live_attachments]
        found = [
            match
            for field, text in document_texts(document, names)
            for match in matcher.matches(text or "", field)
            if severity is None or match.severity == severity
        ]
        if found:
            yield document, found


@transaction.atomic
def load_word_rules(user=SYSTEM):
    """Add the entries of the shipped starter list (``word_list.WORD_RULES``) that the
    dictionary lacks, by wrong form; entries staff changed or switched off stay as they are.
    Returns the number added (audited when not nought)."""
    from disclosure.documents.word_list import WORD_RULES

    have = set(WordRule.objects.values_list("wrong", flat=True))
    author = None if user is SYSTEM else user
    missing = [
        WordRule(
            wrong=wrong,
            right=right,
            severity=severity,
            note=note,
            exceptions=exceptions,
            created_by=author,
            updated_by=author,
        )
        for wrong, right, severity, note, exceptions in WORD_RULES
        if wrong not in have
    ]
    WordRule.objects.bulk_create(missing)
    if missing:
        audit.record(
            document_actions.LOAD_WORD_RULES,
            actor=user,
            details={"added": len(missing), "total": len(have) + len(missing)},
        )
    return len(missing)

"""Text analysis for search: the one place that decides what the index terms of a text are.

Chinese is indexed as overlapping character bigrams (as Lucene's CJK analyzer does): any
verbatim run of two or more Chinese characters in a document contains all the bigrams of the
query, so a query taken from the text always finds it, however a word segmenter would have
cut it. Latin letters and digits are indexed as whole, lower-cased words.

Single Chinese characters written apart ("范 川", as names often are in letters and lists) are
read as one run on both sides, and a query word may be written as a common abbreviation or in
full (``SYNONYMS``: 年报 and 年度报告 find each other).
"""

import re
import unicodedata

from django.db import transaction
from django.utils.html import strip_tags

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 64

# 〇, the CJK unified ideographs (extension A, the basic block, extensions B–F) and compatibility ideographs.
CJK = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
CJK_CHAR = re.compile(rf"[{CJK}]")
RUNS = re.compile(rf"[{CJK}]+|[0-9a-z]+")
PUNCTUATION = re.compile(
    r"[\s\[\]〔〕（）()【】〈〉<>《》\"“”'‘’·、，,。.:：;；!！?？\-—_/\\|&*^%$#@~`+=]+"
)


# A single CJK character written apart from the next one ("范 川", "张 明 代表", as names are
# often written): the space after it is dropped. Words of two characters and more written
# apart ("老旧 改造") stay apart.
SPACED_CHARACTER = re.compile(rf"(?<![{CJK}])([{CJK}])\s+(?=[{CJK}])")

# Words the public writes for the words documents use, and back: each word of a query matches
# its own text or one of these (a word containing one of the keys, with it replaced). A word
# contained in a longer one needs no entry: 指南 already finds 公开指南.
SYNONYMS = {
    "年报": ["年度报告"],
    "年度报告": ["年报"],
    "公开年报": ["公开工作年度报告"],
    "公开工作年度报告": ["公开年报"],
    "人大建议": ["人大代表建议"],
    "人大代表建议": ["人大建议"],
    "政协提案": ["政协委员提案"],
    "政协委员提案": ["政协提案"],
    "低保": ["最低生活保障"],
    "最低生活保障": ["低保"],
    "医保": ["医疗保障", "医疗保险"],
    "社保": ["社会保险", "社会保障"],
    "预决算": ["预算", "决算"],
    "人代会": ["人民代表大会"],
    "依申请": ["政府信息公开申请"],
}


def normalise(text):
    """NFKC (full-width letters and digits to half-width), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def join_spaced_characters(text):
    """``text`` with the white space between single CJK characters taken out: "范 川" → "范川"."""
    return SPACED_CHARACTER.sub(r"\1", text)


def terms(text):
    """The index terms of ``text``: CJK bigrams and whole alphanumeric words, in order."""
    result = []
    for run in RUNS.findall(join_spaced_characters(normalise(text))):
        if CJK_CHAR.match(run):
            result.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            result.append(run)
    return result


def index_text(text):
    """Terms as stored: space-separated with spaces around, so LIKE '% term %' matches whole terms."""
    found = terms(text)
    return f" {' '.join(found)} " if found else ""


def compact_doc_number(text):
    """渝府办发〔2021〕100号, 渝府办发[2021]100号 and 渝府办发2021100号 all become 渝府办发2021100号."""
    return PUNCTUATION.sub("", normalise(text))[:100]


# A 文号 once brackets and spaces are gone: an issuer's abbreviation, the year, the number, 号.
DOC_NUMBER_SHAPE = re.compile(rf"[{CJK}]+(?:19|20)[0-9]{{2}}第?[0-9]{{1,6}}号")


def query_doc_number(query):
    """The 文号 key (as ``compact_doc_number``) when the words of ``query`` form a 文号, such as
    "渝府办发〔2021〕100号" or "渝府办发 2021 100号"; else ""."""
    compact = compact_doc_number(query[:MAX_QUERY_CHARS])
    return compact if DOC_NUMBER_SHAPE.fullmatch(compact) else ""


def doc_number_key(document):
    return compact_doc_number(document.doc_number)


def reindex(documents, batch_size=1000):
    """Recompute the search terms of ``documents`` (e.g. after an agency is renamed). Returns the count."""
    total = 0
    ids = list(documents.order_by("pk").values_list("pk", flat=True))
    model = documents.model
    for start in range(0, len(ids), batch_size):
        chunk = list(
            model.objects.filter(pk__in=ids[start : start + batch_size]).select_related("agency")
        )
        for document in chunk:
            document.search_title = title_text(document)
            document.search_body = body_text(document)
            document.doc_number_key = doc_number_key(document)
        with transaction.atomic():
            model.objects.bulk_update(chunk, ["search_title", "search_body", "doc_number_key"])
        total += len(chunk)
    return total


def title_text(document):
    return index_text(document.title)


def body_text(document):
    agency = document.agency.name if document.agency_id else ""
    parts = [
        strip_tags(document.body),
        document.summary,
        document.keywords,
        document.doc_number,
        document.index_number,
        agency,
    ]
    return index_text("\n".join(p for p in parts if p))


def query_words(query):
    """The words of a query, for highlighting: its CJK runs (2+ chars, single characters written
    apart joined) and alphanumeric words, and the words they stand for (``SYNONYMS``)."""
    words = []
    for word in _words(query):
        words.extend(alternatives(word))
    return list(dict.fromkeys(words))


def _words(query):
    words = []
    for run in RUNS.findall(join_spaced_characters(normalise(query[:MAX_QUERY_CHARS]))):
        if CJK_CHAR.match(run) and len(run) < 2:
            continue
        words.append(run)
    return list(dict.fromkeys(words))


def alternatives(word):
    """``word`` and the words it may be written as: each ``SYNONYMS`` key it contains replaced
    (the longest key first, one at a time)."""
    found = [word]
    for key in sorted(SYNONYMS, key=len, reverse=True):
        if key in word:
            found.extend(word.replace(key, other) for other in SYNONYMS[key])
    return list(dict.fromkeys(found))


def query_groups(query):
    """What a match must contain: for every word of the query (all of them: words separated by
    spaces mean AND), the terms of one of its alternatives. A list of groups, each a list of
    alternatives, each a list of terms; at most ``MAX_QUERY_TERMS`` terms in all."""
    groups, budget = [], MAX_QUERY_TERMS
    for word in _words(query):
        group = []
        for alternative in alternatives(word):
            found = list(dict.fromkeys(terms(alternative)))
            if found and len(found) <= budget:
                group.append(found)
                budget -= len(found)
        if group:
            groups.append(group)
    return groups


def query_terms(query):
    """The terms of the query's own words (their alternatives aside)."""
    found = []
    for word in _words(query):
        found.extend(terms(word))
    return list(dict.fromkeys(found))[:MAX_QUERY_TERMS]

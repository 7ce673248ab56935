"""The 错敏词 check of a 100-page body (200,000 characters) against the shipped starter list
and a few thousand more rules, beside plain ``str.count`` scans of the same text: one word (the
least any scan costs) and every rule's word in turn (what a check without the automaton does).
Needs no database: the rules are unsaved WordRule rows."""

import os
import random
import time

from common import median_seconds, report  # noqa: I001 - sets up Django first

from disclosure.documents.models import WordRule
from disclosure.documents.word_list import WORD_RULES
from disclosure.documents.wording import Matcher, html_text

EXTRA_RULES = int(os.environ.get("BENCH_WORD_RULES", "3000"))
PARAGRAPH = (
    "<p>各镇街、各部门：为深入贯彻落实党中央、国务院决策部署，进一步做好政务公开工作，"
    "现将有关事项通知如下。一、提高认识，加强领导。各单位要按照《中华人民共和国政府信息公开条例》"
    "的规定，截至目前已公开的信息应当及时更新，安装并维护好相关设备，确保信息准确、完整。"
    "二、规范程序，严格审核。发布前须经审核人员审核，涉及台湾当局、香港特别行政区政府的表述"
    "须符合规范。三、强化监督，务求实效。联系电话：023-45632266。</p>"
)


def rules():
    rows = [
        WordRule(wrong=w, right=r, severity=s, note=n, exceptions=e) for w, r, s, n, e in WORD_RULES
    ]
    chars = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
    pick = random.Random(1)
    seen = {row.wrong for row in rows}
    while len(rows) < len(WORD_RULES) + EXTRA_RULES:
        word = "".join(pick.choice(chars) for _ in range(pick.choice([3, 4, 5, 6])))
        if word not in seen:
            seen.add(word)
            rows.append(WordRule(wrong=word, right="", severity="hint"))
    return rows


def main():
    body = PARAGRAPH * (200_000 // len(html_text(PARAGRAPH)) + 1)
    text = html_text(body)[:200_000]
    text = text[:100_000] + "台湾政府" + text[100_004:]
    rows = rules()
    words = [row.wrong for row in rows]
    print(f"{len(rows)} rules, body {len(text):,} characters")

    started = time.perf_counter()
    matcher = Matcher(rows)
    compiled = time.perf_counter() - started
    found = matcher.matches(text, "body")
    assert [m.wrong for m in found if m.severe] == ["台湾政府"], found[:5]

    one_count = median_seconds(lambda: text.count("台湾政府"))
    every_count = median_seconds(lambda: [text.count(w) for w in words], repeat=3)
    check = median_seconds(lambda: matcher.matches(text, "body"), repeat=5)
    strip = median_seconds(lambda: html_text(body), repeat=5)
    report("compile the dictionary (once a version)", compiled, "str.count, one word", one_count)
    report("check 200k chars (automaton)", check, "str.count, one word", one_count)
    report("check 200k chars (automaton)", check, "str.count, every rule", every_count)
    report("HTML to text, 200k chars", strip, "str.count, one word", one_count)


if __name__ == "__main__":
    main()

"""The 错敏词 matcher: what it finds, what it leaves alone, and what a check costs."""

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disclosure.documents import wording
from disclosure.documents.models import Document, WordRule
from disclosure.documents.word_list import WORD_RULES
from portal.models import AuditEvent
from tests.factories import AttachmentFactory, DocumentFactory, published

pytestmark = pytest.mark.django_db
SEVERE, HINT = WordRule.Severity.SEVERE, WordRule.Severity.HINT


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def fresh_matcher():
    # Rolled-back tests may reuse ids and times: each test compiles its own dictionary.
    wording._compiled = (None, None)
    yield
    wording._compiled = (None, None)


def rule(wrong, right="", severity=SEVERE, **fields):
    return WordRule.objects.create(wrong=wrong, right=right, severity=severity, **fields)


def found(text):
    return [(m.start, m.wrong, m.right, m.severity) for m in wording.find_matches(text)]


def test_a_wrong_form_is_found_with_its_place_right_form_and_severity():
    rule("中华人民共合国", "中华人民共和国", SEVERE)
    rule("按装", "安装", HINT)
    assert found("根据中华人民共合国有关规定，请按装设备。") == [
        (2, "中华人民共合国", "中华人民共和国", SEVERE),
        (15, "按装", "安装", HINT),
    ]
    match = wording.find_matches("攻府按装")[0]
    assert match.severity == HINT and not match.severe and match.end == 4


def test_correct_text_yields_no_match_even_where_it_contains_a_wrong_form():
    rule("中央总书记", "中共中央总书记", SEVERE)  # the right form contains the wrong one
    rule("按装", "安装", HINT, exceptions="按装修\n按装配")
    rule("家俱", "家具", HINT, exceptions="家俱乐")
    correct = "中共中央总书记强调，按装修标准和按装配式要求安装，一家俱乐部开业。"
    assert found(correct) == []
    assert found("党中央总书记") == [(1, "中央总书记", "中共中央总书记", SEVERE)]
    assert found("按装修标准按装空调") == [(5, "按装", "安装", HINT)]


def test_the_starter_list_finds_every_wrong_form_and_none_in_the_right_forms():
    assert wording.load_word_rules() == len(WORD_RULES)
    for wrong, _right, severity, _note, _exceptions in WORD_RULES:
        assert [(m.wrong, m.severity) for m in wording.find_matches(f"文中{wrong}一处")] == [
            (wrong, severity)
        ], wrong
    correct = "。".join(
        [right for _w, right, *_ in WORD_RULES if right]
        + [line for *_, exceptions in WORD_RULES for line in exceptions.splitlines()]
    )
    assert found(correct) == []


def test_the_starter_list_holds_a_sensible_mix():
    severities = [severity for _w, _r, severity, *_ in WORD_RULES]
    assert 60 <= len(WORD_RULES) <= 150
    assert severities.count(SEVERE) >= 40 and severities.count(HINT) >= 40


def test_of_overlapping_rules_the_longest_at_a_place_is_reported_and_partial_overlaps_both():
    rule("中华人民共合国", "中华人民共和国")
    rule("共合国", "共和国")
    rule("人民共合", "人民共和", HINT)
    assert found("中华人民共合国") == [(0, "中华人民共合国", "中华人民共和国", SEVERE)]
    assert found("我们共合国家") == [(2, "共合国", "共和国", SEVERE)]
    rule("两岸三地", "海峡两岸和香港")
    rule("三地区", "三个地区", HINT)
    assert [m.wrong for m in wording.find_matches("两岸三地区")] == ["两岸三地", "三地区"]


def test_html_is_read_as_text_tags_dropped_and_entities_decoded():
    rule("按装", "安装", HINT)
    rule("中华民国总统", "台湾地区领导人")
    assert wording.html_text("<p>按<b>装</b></p><p>a &amp; b&nbsp;</p>") == "按装\na & b\xa0\n"
    document = DocumentFactory(
        body="<p>请&#x6309;<strong>&#35013;</strong>设备</p><p>中华民国总统</p>"
    )
    matches = wording.document_matches(document)
    assert [(m.field, m.wrong) for m in matches] == [("body", "按装"), ("body", "中华民国总统")]
    assert wording.find_matches("<p class='按装'>") != []  # plain text is taken as it is


def test_title_doc_number_keywords_summary_and_attachment_names_are_checked():
    rule("攻府", "政府")
    document = DocumentFactory(
        title="区攻府通知",
        doc_number="攻府发〔2025〕1号",
        keywords="攻府",
        summary="攻府安排",
        body="<p>无误。</p>",
    )
    AttachmentFactory(document=document, name="攻府附件.pdf", content=b"%PDF-1.4\n%%EOF\n")
    fields = [m.field for m in wording.document_matches(document)]
    assert fields == ["title", "doc_number", "keywords", "summary", "attachment"]


def test_a_changed_dictionary_is_used_at_the_next_check():
    assert found("请按装设备") == []
    rule_row = rule("按装", "安装", HINT)
    assert found("请按装设备") == [(1, "按装", "安装", HINT)]
    rule_row.severity = SEVERE
    rule_row.save()
    assert found("请按装设备")[0][3] == SEVERE
    rule_row.active = False
    rule_row.save()
    assert found("请按装设备") == []
    rule_row.active = True
    rule_row.save()
    rule_row.delete()
    assert found("请按装设备") == []


def test_a_change_is_seen_even_when_the_clock_stands_still():
    with time_machine.travel(timezone.now(), tick=False):
        rule_row = rule("按装", "安装", HINT)
        assert found("按装")[0][3] == HINT
        rule_row.severity = SEVERE
        rule_row.save()
        assert found("按装")[0][3] == SEVERE


def test_a_check_of_a_100_page_body_costs_one_query_once_compiled():
    for n in range(2000):
        WordRule(wrong=f"错词{n:04d}", right=f"对词{n:04d}", severity=HINT).save()
    rule("中华人民共合国", "中华人民共和国")
    body = ("各镇街、各部门：现将有关事项通知如下，请认真贯彻落实。" * 8000)[:199_990]
    text = body + "中华人民共合国"
    assert len(text) == 199_997
    with CaptureQueriesContext(connection) as first:
        matches = wording.find_matches(text)
    assert len(first) == 2  # the version, then the rules
    assert [(m.start, m.wrong) for m in matches] == [(199_990, "中华人民共合国")]
    with CaptureQueriesContext(connection) as again:
        assert len(wording.find_matches(text)) == 1
    assert len(again) == 1  # the version only


def test_highlighting_escapes_the_text_and_marks_only_the_matches():
    rule("<script>", "", SEVERE)
    rule("按装", '安装"><b>', HINT)
    text = "<script>alert(1)</script>按装"
    html = wording.highlighted(text, wording.find_matches(text))
    assert "<script>" not in html and "<b>" not in html
    assert html == (
        '<mark class="word-severe" title="不应使用">&lt;script&gt;</mark>alert(1)&lt;/script&gt;'
        '<mark class="word-hint" title="建议：安装&quot;&gt;&lt;b&gt;">按装</mark>'
    )


def test_published_word_matches_lists_public_documents_with_severe_matches(site_tree):
    rule("攻府", "政府", SEVERE)
    rule("按装", "安装", HINT)
    severe = published(title="区攻府通知")
    in_file = published()
    AttachmentFactory(document=in_file, name="攻府.pdf", content=b"%PDF-1.4\n%%EOF\n")
    published(body="<p>请按装。</p>")  # a hint only
    DocumentFactory(title="攻府草稿")  # never public
    for _ in range(5):
        published()
    with CaptureQueriesContext(connection) as queries:
        listed = {d.pk: [m.field for m in ms] for d, ms in wording.published_word_matches()}
    assert listed == {severe.pk: ["title"], in_file.pk: ["attachment"]}
    assert len(queries) <= 4  # the version, the rules, the documents, their attachments
    everything = list(wording.published_word_matches(severity=None))
    assert len(everything) == 3
    assert Document.objects.filter(title="攻府草稿").exists()


def test_the_self_inspection_command_lists_the_documents(site_tree, capsys):
    rule("攻府", "政府")
    document = published(title="区攻府通知")
    call_command("check_published_words")
    out = capsys.readouterr().out
    assert f"#{document.pk} 《区攻府通知》：标题“攻府”→“政府”" in out
    assert "共 1 个已公开文件含有错敏词" in out


def test_loading_the_starter_list_again_adds_nothing_and_keeps_staff_changes(capsys):
    WordRule.objects.create(wrong="按装", right="安装", severity=SEVERE, note="本区要求")
    call_command("load_word_rules")
    assert WordRule.objects.count() == len(WORD_RULES)
    assert AuditEvent.objects.filter(action="load_word_rules").count() == 1
    call_command("load_word_rules")
    assert "已添加 0 个错敏词" in capsys.readouterr().out
    assert WordRule.objects.count() == len(WORD_RULES)
    kept = WordRule.objects.get(wrong="按装")
    assert kept.severity == SEVERE and kept.note == "本区要求"
    assert AuditEvent.objects.filter(action="load_word_rules").count() == 1

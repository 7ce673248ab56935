"""A body's changes as the reviewer reads them: the changed words marked, and the work of
comparing bounded however long and repetitive the paragraphs an editor writes."""

import difflib

import pytest

from disclosure.documents import text_diff
from disclosure.documents.text_diff import body_diff_table


@pytest.fixture
def compared(monkeypatch):
    """The sizes of every comparison difflib is asked for, as (len(a), len(b))."""
    sizes = []

    class Counting(difflib.SequenceMatcher):
        def set_seqs(self, a, b):
            sizes.append((len(a), len(b)))
            super().set_seqs(a, b)

    monkeypatch.setattr(text_diff.difflib, "SequenceMatcher", Counting)
    return sizes


def test_a_changed_word_is_marked_in_its_paragraph():
    table = body_diff_table("<p>请按装设备。</p><p>其他。</p>", "<p>请安装设备。</p><p>其他。</p>")
    assert "<del>按</del>" in table and "<ins>安</ins>" in table
    assert "其他。" in table


def test_a_long_repetitive_paragraph_is_compared_within_the_budget(compared):
    # 10,000 characters took difflib 50 seconds; 200,000 would hold a worker for hours.
    old = "<p>" + "啊" * 20_000 + "</p>"
    new = "<p>" + "啊" * 10_000 + "吧" + "啊" * 10_000 + "</p>"
    table = body_diff_table(old, new)
    assert "<ins>吧</ins>" in table and "<del>" not in table
    assert all(a * b <= text_diff.DIFF_BUDGET for a, b in compared)


def test_many_repeated_paragraphs_are_compared_within_the_budget(compared):
    old = "<p>啊</p>" * 20_000
    new = "<p>啊</p>" * 10_000 + "<p>吧</p>" + "<p>啊</p>" * 10_000
    table = body_diff_table(old, new)
    assert "<ins>吧</ins>" in table
    assert all(a * b <= text_diff.DIFF_BUDGET for a, b in compared)


def test_a_paragraph_rewritten_past_the_budget_is_shown_replaced_whole(compared):
    old = "<p>" + "甲乙" * 5_000 + "</p>"
    new = "<p>" + "乙甲" * 5_000 + "</p>"
    table = body_diff_table(old, new)
    assert "<del>" + "甲乙" * 5_000 + "</del>" in table
    assert "<ins>" + "乙甲" * 5_000 + "</ins>" in table
    assert all(a * b <= text_diff.DIFF_BUDGET for a, b in compared)


def test_many_changed_paragraphs_share_one_budget(compared):
    old = "".join(f"<p>{'甲乙' * 150}{n}</p>" for n in range(40))
    new = "".join(f"<p>{'乙甲' * 150}{n}</p>" for n in range(40))
    table = body_diff_table(old, new)
    assert table.count("<ins>") >= 40  # every paragraph still shows its change
    assert sum(a * b for a, b in compared) <= text_diff.TABLE_BUDGET

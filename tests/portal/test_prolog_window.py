"""A DOCTYPE is found however long the prolog before it: ``prolog_problem`` reads the part's
first PROLOG_BYTES and, when a comment or processing instruction runs past them, sees an
unfinished "<!--" where it looks for the root, takes that for the root, and lets the part
through; the parser then reads the DOCTYPE after it and its whole internal subset."""

import io
import random

import pytest

from portal.office_files import PROLOG_BYTES, prolog_problem

ROOT = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'


def filler(length):
    letters = random.Random(1)
    return "".join(letters.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))


@pytest.mark.parametrize(
    "prolog",
    [
        "<!--{}-->",  # one comment longer than the window
        "<?note {}?>",  # one processing instruction longer than the window
    ],
)
def test_a_doctype_after_a_prolog_longer_than_the_window_is_found(prolog):
    part = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + prolog.format(filler(PROLOG_BYTES + 1000))
        + '<!DOCTYPE w:document [<!ENTITY e0 "x">]>'
        + ROOT
    ).encode()
    assert prolog_problem(io.BytesIO(part)) is not None


def test_many_short_comments_past_the_window_before_a_doctype_are_refused():
    comments = "".join(f"<!--{filler(20)}-->" for _ in range(PROLOG_BYTES // 20))
    part = (comments + '<!DOCTYPE w:document [<!ENTITY e0 "x">]>' + ROOT).encode()
    assert prolog_problem(io.BytesIO(part)) is not None

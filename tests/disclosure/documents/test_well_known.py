"""Rows the portal's code relies on are found by a slug, never by a name staff may change."""

import pytest

from disclosure.documents.models import Genre, Topic
from disclosure.documents.models.documents import WellKnownRowMissing

pytestmark = pytest.mark.django_db


def test_the_well_known_rows_carry_their_slugs_after_migrating():
    assert Genre.objects.well_known("congress-reply").name == "人大建议办理"
    assert Genre.objects.well_known("cppcc-reply").name == "政协提案办理"
    assert Genre.objects.well_known("report").name == "报告"
    other = Topic.objects.well_known("other")
    assert (other.name, other.parent_id) == ("其他", None)


def test_a_renamed_row_is_still_the_one_the_code_uses():
    genre = Genre.objects.well_known("report")
    genre.name = "工作报告"
    genre.save()
    assert Genre.objects.well_known("report") == genre


def test_a_missing_row_says_which_in_chinese():
    Genre.objects.filter(slug="report").update(slug=None)
    with pytest.raises(WellKnownRowMissing, match="缺少体裁分类“report”"):
        Genre.objects.well_known("report")

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from portal.control_characters import refuse_control_characters, strip_for_xml

PROJECT_APPS = ["portal", "catalog", "disclosure"]


def text_fields():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            for field in model._meta.fields:
                if isinstance(field, (models.CharField, models.TextField)):
                    yield field


def test_every_text_field_of_the_project_refuses_control_characters():
    fields = list(text_fields())
    assert len(fields) > 50  # the walk reaches the models
    missing = [str(f) for f in fields if refuse_control_characters not in f.validators]
    assert missing == []


def test_the_validator_leaves_migrations_alone():
    for field in text_fields():
        _name, _path, _args, kwargs = field.deconstruct()
        assert refuse_control_characters not in kwargs.get("validators", [])


def test_tabs_and_line_breaks_are_allowed():
    refuse_control_characters("第一行\t说明\r\n第二行\n")


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_other_c0_control_characters_are_refused_in_chinese(char):
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(f"标题{char}")
    assert "控制字符" in refused.value.messages[0]
    assert f"U+{ord(char):04X}" in refused.value.messages[0]


def test_feeds_text_loses_what_xml_cannot_carry():
    assert strip_for_xml("标题\x0b\ufffe\t换行\n") == "标题\t换行\n"


@pytest.mark.parametrize(
    "char", ["\ufffe", "\uffff", "\ufdd0", "\ufdef", "\U0001fffe", "\U0010ffff", "\ud800", "\udfff"]
)
def test_non_characters_and_lone_surrogates_are_refused_in_chinese(char):
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(f"标题{char}")
    assert "无效的字符" in refused.value.messages[0]
    assert f"U+{ord(char):04X}" in refused.value.messages[0]


@pytest.mark.parametrize("char", ["\ufdcf", "\ufdf0", "\ufffd", "\U0001f600", "\u3000"])
def test_characters_next_to_the_non_characters_are_allowed(char):
    refuse_control_characters(f"标题{char}")


@pytest.mark.django_db
def test_an_annual_report_with_a_non_character_is_refused_by_its_model():
    from disclosure.reports.models import AnnualReport
    from tests.factories import AgencyFactory

    report = AnnualReport(agency=AgencyFactory(), year=2025, overview="总体情况\ufffe")
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert "overview" in refused.value.message_dict

"""The 错敏词 dictionary in the admin: who may keep it, what it refuses, how staff find entries."""

import pytest
from django.urls import reverse

from disclosure.documents import wording
from disclosure.documents.models import WordRule
from portal.roles import AUDITOR, EDITOR, REVIEWER
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:disclosure_wordrule_add")
LIST = reverse("admin:disclosure_wordrule_changelist")


@pytest.fixture(autouse=True)
def fresh_matcher():
    wording._compiled = (None, None)
    yield
    wording._compiled = (None, None)


@pytest.fixture
def reviewer(client):
    user = StaffUserFactory(role=REVIEWER)
    client.force_login(user)
    return user


def entry(**overrides):
    data = {
        "wrong": "按装",
        "right": "安装",
        "severity": "hint",
        "exceptions": "",
        "note": "常见错别字",
        "active": "on",
    }
    data.update(overrides)
    return data


def errors_of(response):
    return " ".join(
        str(e) for errors in response.context["adminform"].form.errors.values() for e in errors
    )


def test_a_reviewer_adds_a_rule_which_the_next_check_uses(client, reviewer):
    response = client.post(ADD, entry(wrong=" 按装 "))
    assert response.status_code == 302
    rule = WordRule.objects.get()
    assert (rule.wrong, rule.right, rule.created_by, rule.updated_by) == (
        "按装",
        "安装",
        reviewer,
        reviewer,
    )
    assert [m.wrong for m in wording.find_matches("请按装设备")] == ["按装"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"wrong": ""}, "请填写错误写法。"),
        ({"wrong": "装"}, "错误写法须为2至50个字。"),
        ({"wrong": "按" * 51}, "错误写法最多50个字"),
        ({"right": "按装"}, "正确写法与错误写法相同。"),
        ({"exceptions": "按装修\n安装队"}, "例外写法须包含错误写法“按装”：安装队"),
        ({"exceptions": "\n".join(f"按装{n}" for n in range(51))}, "例外写法最多50行"),
        ({"exceptions": "按装" + "修" * 99}, "每行不超过100个字"),
    ],
)
def test_a_bad_entry_is_refused_with_a_chinese_message(client, reviewer, overrides, message):
    response = client.post(ADD, entry(**overrides))
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not WordRule.objects.exists()


def test_a_duplicate_wrong_form_is_refused(client, reviewer):
    WordRule.objects.create(wrong="按装", right="安装")
    response = client.post(ADD, entry(wrong="按装 ", right="安装好"))
    assert response.status_code == 200
    assert "“按装”已在词库中，请修改原有条目。" in errors_of(response)
    assert list(WordRule.objects.values_list("right", flat=True)) == ["安装"]


def test_editing_a_rule_records_who_changed_it(client, reviewer):
    creator = StaffUserFactory()
    rule = WordRule.objects.create(wrong="按装", right="安装", created_by=creator)
    url = reverse("admin:disclosure_wordrule_change", args=[rule.pk])
    assert client.post(url, entry(severity="severe")).status_code == 302
    rule.refresh_from_db()
    assert (rule.severity, rule.created_by, rule.updated_by) == ("severe", creator, reviewer)


def test_editors_may_read_the_dictionary_but_not_change_it(client):
    rule = WordRule.objects.create(wrong="按装", right="安装")
    client.force_login(StaffUserFactory(role=EDITOR))
    assert client.get(LIST).status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, entry(wrong="松驰")).status_code == 403
    change = reverse("admin:disclosure_wordrule_change", args=[rule.pk])
    assert client.post(change, entry(right="改掉")).status_code == 403
    delete = reverse("admin:disclosure_wordrule_delete", args=[rule.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    rule.refresh_from_db()
    assert rule.right == "安装" and WordRule.objects.count() == 1


def test_other_staff_do_not_see_the_dictionary(client):
    client.force_login(StaffUserFactory(role=AUDITOR))
    assert client.get(LIST).status_code == 403


def test_a_superuser_keeps_the_dictionary(client):
    client.force_login(StaffUserFactory(is_superuser=True))
    assert client.post(ADD, entry()).status_code == 302
    assert WordRule.objects.filter(wrong="按装").exists()


def test_the_list_is_searched_and_filtered(client, reviewer):
    WordRule.objects.create(wrong="按装", right="安装", severity="hint")
    WordRule.objects.create(wrong="台湾政府", right="台湾当局", severity="severe", note="涉台用语")
    WordRule.objects.create(wrong="松驰", right="松弛", severity="hint", active=False)

    def shown(query):
        response = client.get(LIST + query)
        assert response.status_code == 200
        return sorted(r.wrong for r in response.context["cl"].result_list)

    assert shown("?q=涉台") == ["台湾政府"]
    assert shown("?q=安装") == ["按装"]
    assert shown("?severity__exact=severe") == ["台湾政府"]
    assert shown("?active__exact=0") == ["松驰"]


def test_switching_rules_off_in_bulk_takes_them_out_of_the_check(client, reviewer):
    rule = WordRule.objects.create(wrong="按装", right="安装")
    assert wording.find_matches("按装")
    response = client.post(LIST, {"action": "deactivate_selected", "_selected_action": [rule.pk]})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert not rule.active and rule.updated_by == reviewer
    assert wording.find_matches("按装") == []


def word_events():
    from portal.models import AuditEvent

    return list(AuditEvent.objects.filter(action="word_rule_change").order_by("pk"))


def test_switching_a_severe_rule_off_is_audited(client, reviewer):
    # Otherwise a reviewer could switch a 严重 entry off, publish without a 放行理由 and switch
    # it on again, leaving no trace of either.
    rule = WordRule.objects.create(wrong="台湾政府", right="台湾当局", severity="severe")
    client.post(LIST, {"action": "deactivate_selected", "_selected_action": [rule.pk]})
    client.post(LIST, {"action": "activate_selected", "_selected_action": [rule.pk]})
    events = word_events()
    assert [(e.actor, e.details["change"]) for e in events] == [
        (reviewer, "deactivate"),
        (reviewer, "activate"),
    ]
    assert events[0].details["rules"] == [
        {"wrong": "台湾政府", "right": "台湾当局", "severity": "severe"}
    ]


def test_adding_changing_and_deleting_a_rule_are_audited(client, reviewer):
    assert client.post(ADD, entry()).status_code == 302
    rule = WordRule.objects.get()
    change = reverse("admin:disclosure_wordrule_change", args=[rule.pk])
    assert client.post(change, entry(severity="severe")).status_code == 302
    delete = reverse("admin:disclosure_wordrule_delete", args=[rule.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    events = word_events()
    assert [e.details["change"] for e in events] == ["add", "change", "delete"]
    assert events[1].details["rules"] == [{"wrong": "按装", "right": "安装", "severity": "severe"}]
    assert events[1].details["fields"] == ["severity"]
    assert all(e.actor == reviewer for e in events)


def test_deleting_rules_in_bulk_is_audited(client, reviewer):
    rules = [WordRule.objects.create(wrong=w, right="") for w in ("按装", "松驰")]
    response = client.post(
        LIST,
        {"action": "delete_selected", "_selected_action": [r.pk for r in rules], "post": "yes"},
    )
    assert response.status_code == 302 and not WordRule.objects.exists()
    (event,) = word_events()
    assert event.details["change"] == "delete"
    assert sorted(r["wrong"] for r in event.details["rules"]) == ["按装", "松驰"]

"""The status page: a 查询码 and the phone's last four digits open one application's progress."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from disclosure.applications import limits, services
from disclosure.applications.models import Application, new_lookup_code
from portal.actors import SYSTEM
from tests.disclosure.applications.helpers import give_information, with_lookup_code
from tests.timetravel import on_day

pytestmark = pytest.mark.django_db
URL = "/ysqgk/status/"


with_code = with_lookup_code


def look_up(client, code, tail="1234"):
    return client.post(URL, {"code": code, "phone_tail": tail})


def test_the_url_is_the_one_named():
    assert reverse("applications:status") == URL


def test_a_running_application_shows_its_due_date_and_working_days_left(client):
    application, code = with_code(received_on=date(2026, 6, 1))
    with on_day(date(2026, 6, 3)):
        page = look_up(client, code).content.decode()
    assert application.number in page
    assert "办理中" in page
    assert "2026年6月1日" in page  # received
    # 20 working days from 6月1日, 端午 6月19日 off: 6月30日; from 6月3日 18 working days left.
    assert "2026年6月30日" in page
    assert "还有 18 个工作日" in page
    assert "（暂定）" not in page


def test_a_due_date_past_the_known_calendar_is_marked_provisional(client):
    application, code = with_code(received_on=date(2027, 3, 1))
    with on_day(date(2027, 3, 2)):
        page = look_up(client, code).content.decode()
    assert "（暂定）" in page


def test_the_code_is_read_without_dashes_and_in_lower_case(client):
    application, code = with_code()
    page = look_up(client, code.replace("-", "").lower()).content.decode()
    assert application.number in page


def test_the_page_shows_nothing_personal_beyond_what_was_asked(client):
    application, code = with_code()
    page = look_up(client, code).content.decode()
    assert application.info_title in page
    for personal in (application.id_number, application.name, application.phone,
                     application.email, application.address):  # fmt: skip
        assert personal not in page


def test_the_final_answer_letter_is_shown_when_delivery_is_online(client):
    application, code = with_code(received_on=date(2026, 6, 1))
    give_information(application)
    services.answer(application, SYSTEM, Application.Result.DISCLOSED, on=date(2026, 6, 10))
    page = look_up(client, code).content.decode()
    assert "已办结" in page and "予以公开" in page
    assert "政府信息公开申请答复书" in page
    assert "现予以公开" in page  # the letter's body


def test_the_answer_letter_is_not_shown_for_delivery_by_post(client):
    application, code = with_code(received_on=date(2026, 6, 1))
    Application.objects.filter(pk=application.pk).update(delivery=Application.Delivery.POST)
    services.answer(application, SYSTEM, Application.Result.DISCLOSED, on=date(2026, 6, 10))
    page = look_up(client, code).content.decode()
    assert "予以公开" in page
    assert "现予以公开" not in page
    assert "按您选择的方式（邮寄）送达" in page


def test_a_draft_answer_is_never_shown(client):
    from disclosure.applications.models import Letter

    application, code = with_code(received_on=date(2026, 6, 1))
    Letter.objects.create(application=application, kind=Letter.Kind.ANSWER, title="草稿答复书",
                          body="<p>尚未定稿的草稿内容</p>")  # fmt: skip
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.CLOSED, result="disclosed", closed_on=date(2026, 6, 9)
    )
    page = look_up(client, code).content.decode()
    assert "尚未定稿的草稿内容" not in page


def test_a_wrong_code_and_a_wrong_phone_tail_get_the_same_answer(client):
    application, code = with_code()
    wrong_tail = look_up(client, code, "9999").content.decode()
    wrong_code = look_up(client, new_lookup_code()).content.decode()
    for page in (wrong_tail, wrong_code):
        assert "查询码或联系电话后四位不正确" in page
        assert application.number not in page


def test_wrong_attempts_are_limited_per_address(client):
    application, code = with_code()
    for _ in range(limits.WRONG_LOOKUPS_PER_HOUR):
        look_up(client, new_lookup_code())
    # Now even the right code is refused from this address ...
    refused = look_up(client, code)
    assert refused.status_code == 429
    assert "查询错误次数过多" in refused.content.decode()
    assert application.number not in refused.content.decode()
    # ... while another address is served.
    other = look_up(Client(REMOTE_ADDR="10.1.2.3"), code)
    assert application.number in other.content.decode()


def test_an_ipv6_network_counts_as_one_address():
    """One subscriber holds a whole /64: changing the last 64 bits does not reset the count."""
    application, code = with_code()
    for n in range(limits.WRONG_LOOKUPS_PER_HOUR):
        look_up(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}"), new_lookup_code())
    refused = look_up(Client(REMOTE_ADDR="2001:db8:1:2:ffff:1:2:3"), code)
    assert refused.status_code == 429
    other = look_up(Client(REMOTE_ADDR="2001:db8:1:3::1"), code)
    assert application.number in other.content.decode()


def test_a_malformed_code_is_refused_by_the_form_and_not_counted(client):
    for _ in range(limits.WRONG_LOOKUPS_PER_HOUR + 2):
        page = look_up(client, "ABC").content.decode()
        assert "查询码应为12位" in page
    application, code = with_code()
    assert application.number in look_up(client, code).content.decode()


def test_the_status_page_is_never_cached(client):
    application, code = with_code()
    for response in (client.get(URL), look_up(client, code)):
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_the_lookup_is_a_post_form_with_csrf(client):
    page = client.get(URL).content.decode()
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert (
        Client(enforce_csrf_checks=True).post(URL, {"code": "x", "phone_tail": "1234"}).status_code
        == 403
    )


def test_the_status_page_has_a_query_budget(client, django_assert_max_num_queries):
    application, code = with_code(received_on=date(2026, 6, 1))
    give_information(application)
    services.answer(application, SYSTEM, Application.Result.DISCLOSED, on=date(2026, 6, 10))
    # The lookup, its limit, the application and what the page shows (letters and files, one
    # query each however many), and the session that lets this browser download them.
    with django_assert_max_num_queries(17):
        look_up(client, code)


def test_the_wrong_try_limit_survives_a_cache_flooded_with_pages(client, flood_caches):
    application, code = with_code()
    for _ in range(limits.WRONG_LOOKUPS_PER_HOUR):
        look_up(client, new_lookup_code())
    flood_caches()
    refused = look_up(client, code)
    assert refused.status_code == 429
    assert application.number not in refused.content.decode()


def test_right_codes_are_not_counted_against_the_address(client):
    application, code = with_code()
    for _ in range(limits.WRONG_LOOKUPS_PER_HOUR + 5):
        assert application.number in look_up(client, code).content.decode()
    for _ in range(limits.WRONG_LOOKUPS_PER_HOUR - 1):
        look_up(client, new_lookup_code())
    assert application.number in look_up(client, code).content.decode()


def test_a_wrong_look_up_costs_one_query_for_its_limit(client, django_assert_num_queries):
    look_up(client, new_lookup_code())  # the address's period has begun
    with django_assert_num_queries(2):  # the limit's count, and the search for the code
        look_up(client, new_lookup_code())

"""信息处理费 as 国办函〔2020〕109号 sets it: the one place the amount is computed.

An office charges only an applicant who asks for much, by one of two methods:

- 按件计收: an applicant's applications in one calendar month, to all offices of the portal
  counted together: the first 10 are free, the 11th to 30th cost 100 yuan each, and from the
  31st each further band of 10 costs 100 yuan more per application (31-40: 200, 41-50: 300 …).
- 按量计收: one application's pages: 30 pages free, pages 31-100 cost 10 yuan, 101-200 cost 20
  yuan, and every page beyond 200 costs 40 yuan.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from disclosure.applications.models import Application

FREE_ITEMS_PER_MONTH = 10
PAGE_BANDS = ((30, Decimal(0)), (100, Decimal(10)), (200, Decimal(20)), (None, Decimal(40)))


class Method:
    BY_ITEM = "item"
    BY_PAGE = "page"
    CHOICES = [(BY_ITEM, "按件计收"), (BY_PAGE, "按量计收")]


def item_price(position):
    """The fee of an applicant's ``position``-th application in a calendar month."""
    if position <= FREE_ITEMS_PER_MONTH:
        return Decimal(0)
    if position <= 30:
        return Decimal(100)
    return Decimal(100) * (2 + (position - 31) // 10)


def page_fee(pages):
    total, lower = Decimal(0), 0
    for upper, price in PAGE_BANDS:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            total += (top - lower) * price
        if upper is None or pages <= upper:
            break
        lower = upper
    return total


def monthly_position(application):
    """Which of the applicant's applications in the month of its submission this one is."""
    submitted = timezone.localtime(application.submitted_at)
    key = application.applicant_key
    if not key:
        return 1
    field = "id_number__iexact" if application.is_person else "credit_code__iexact"
    same_month = (
        Application.objects.annotate(y=ExtractYear("submitted_at"), m=ExtractMonth("submitted_at"))
        .filter(y=submitted.year, m=submitted.month, **{field: key})
        .filter(submitted_at__lte=application.submitted_at)
    )
    return same_month.count()


@dataclass(frozen=True)
class Fee:
    amount: Decimal
    basis: str

    @property
    def charged(self):
        return self.amount > 0


def compute(application, method, pages=0):
    """The fee the office may charge for ``application``, and the words that explain it."""
    if method == Method.BY_PAGE:
        amount = page_fee(pages)
        basis = f"按量计收：共{pages}页（30页以下免费，31至100页每页10元，101至200页每页20元，200页以上每页40元）"
    else:
        position = monthly_position(application)
        amount = item_price(position)
        basis = (
            f"按件计收：申请人本月第{position}件申请（每月10件以下免费，11至30件每件100元，"
            "31件起每增加10件每件加收100元）"
        )
    return Fee(amount, basis)

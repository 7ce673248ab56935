"""Printed annual reports in the shapes offices published them, with our own numbers.

2019 template (国办公开办函〔2019〕60号, reports of 2019 and 2020), as read in reports of a city
bureau, a district bureau, a county office, a township and a city department:
- section 二 with 规章/规范性文件 × 本年新制作数量/本年新公开数量/对外公开总数量, the items of
  第二十条第（五）（六）（八）项 with 上一年项目数量 and 本年增/减 (a decrease written -8), and
  第（九）项 政府集中采购 with a count and an amount in 万元 with four decimals;
- section 三 filled in every column, or only in 自然人 and 总计 with the other cells left blank;
- section 三's （六）其他处理 as one row; section 四's fifteen cells.

2021 template (国办公开办函〔2021〕30号): a township whose 总计 column was printed one cell to the
left (the row does not add up), and a district office whose 现行有效件数 was left blank.
"""

from disclosure.reports.annual import APP_COLUMNS, RESULT_ROWS_BY_TEMPLATE
from disclosure.reports.models import Template

T2019, T2021 = Template.T2019, Template.T2021
COLUMNS = [col for col, _l in APP_COLUMNS]


def rows(template):
    return [key for key, _r, _s in RESULT_ROWS_BY_TEMPLATE[template]]


def section_three(template, filled):
    """Section 三 from ``filled`` ({row: [person, business, research, nonprofit, legal, other]}),
    with the 总计 column and the （七）总计 row added up, as a balanced report prints them."""
    values = {}
    every = ["new", "carried", *rows(template), "forward"]
    for row in every:
        numbers = filled.get(row, [0] * 6)
        for col, number in zip(COLUMNS, numbers, strict=True):
            values[f"apps.{row}.{col}"] = number
        values[f"apps.{row}.total"] = sum(numbers)
    for col in [*COLUMNS, "total"]:
        values[f"apps.total.{col}"] = sum(values[f"apps.{row}.{col}"] for row in rows(template))
    return values


def city_bureau_2019():
    """Every column of section 三 used, 本年增/减 negative once, procurement in 万元."""
    values = {
        "docs.rules.made": 0,
        "docs.rules.published": 0,
        "docs.rules.in_public": 0,
        "docs.normative.made": 12,
        "docs.normative.published": 11,
        "docs.normative.in_public": 47,
        "items.licences.previous": 23,
        "items.licences.change": -4,
        "items.licences.decisions": 1386,
        "items.services.previous": 61,
        "items.services.change": 9,
        "items.services.decisions": 5210,
        "items.penalties.previous": 214,
        "items.penalties.change": 17,
        "items.penalties.decisions": 96,
        "items.enforcements.previous": 12,
        "items.enforcements.change": 0,
        "items.enforcements.decisions": 8,
        "items.fees.previous": 3,
        "items.fees.change": -1,
        "items.procurement.count": 14,
        "f.procurement_amount": "273.0615",
        "f.review_upheld": 3,
        "f.review_corrected": 1,
        "f.review_other": 0,
        "f.review_pending": 1,
        "f.review_total": 5,
        "f.direct_suit_upheld": 2,
        "f.direct_suit_pending": 1,
        "f.direct_suit_total": 3,
        "f.after_review_upheld": 1,
        "f.after_review_total": 1,
    }
    filled = {
        "new": [41, 6, 2, 3, 4, 2],
        "carried": [3, 1, 0, 0, 0, 0],
        "disclosed": [17, 3, 1, 1, 2, 1],
        "partial": [4, 1, 0, 1, 0, 0],
        "state_secret": [1, 0, 0, 0, 0, 0],
        "third_party": [2, 1, 0, 0, 1, 0],
        "process": [3, 0, 0, 0, 0, 0],
        "query": [1, 0, 0, 0, 0, 0],
        "not_held": [8, 1, 1, 0, 1, 1],
        "needs_making": [2, 0, 0, 0, 0, 0],
        "still_unclear": [1, 0, 0, 0, 0, 0],
        "petition": [2, 0, 0, 1, 0, 0],
        "repeated": [1, 0, 0, 0, 0, 0],
        "other_handling": [1, 1, 0, 0, 0, 0],
        "forward": [1, 0, 0, 0, 0, 0],
    }
    return {**values, **section_three(T2019, filled)}


def township_2019():
    """Only 自然人 and 总计 used in section 三; everything else blank."""
    filled = {"new": [3, 0, 0, 0, 0, 0], "disclosed": [2, 0, 0, 0, 0, 0]}
    filled["not_held"] = [1, 0, 0, 0, 0, 0]
    return {
        "items.procurement.count": 2,
        "f.procurement_amount": "6.5",
        **section_three(T2019, filled),
    }


def township_2021_misprinted():
    """A 2021 report whose new applications were printed under 法律服务机构 with 总计 0."""
    values = section_three(T2021, {"new": [0, 0, 0, 0, 1, 0], "disclosed": [0, 0, 0, 0, 1, 0]})
    values["apps.new.total"] = 0
    values.update({"docs.normative.issued": 2, "docs.normative.valid": 2, "f.licences": 213})
    values.update({"f.penalties": 5, "f.enforcements": 2})
    return values


def many_cells():
    """A 2019 report of 150 non-zero cells (a large department's)."""
    filled = {row: [1, 1, 1, 1, 1, 1] for row in rows(T2019)}
    filled["new"] = [len(rows(T2019))] * 6
    values = section_three(T2019, filled)
    nonzero = sum(1 for value in values.values() if value)
    extra = city_bureau_2019()
    for key in [k for k in extra if not k.startswith("apps.")]:
        if nonzero >= 150:
            break
        if extra[key] not in (0, "0"):
            values[key] = extra[key]
            nonzero += 1
    return values

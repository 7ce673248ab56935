"""Read a reply letter pasted as plain text (from an old site or a Word file) into its parts.

It copes with text that lost characters in copying (年/月/日, 〔〕, quotation marks: "202266"
for 2022年6月6日), full-width digits, 建议/提案, 复函/答复, and dates in Chinese numerals. What it
cannot find it leaves empty and lists in ``missing``, for staff to fill in before saving.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.html import escape

from portal.cnnum import parse_digit_string, parse_number

CN = "一二三四五六七八九十百〇零两"
NUM = rf"[\d{CN}]+"

# The level is the character right before 第 (区第十八届…, 市第六届…); a name in between
# (铜梁区第…) still ends with it.
CONGRESS_SESSION = re.compile(
    rf"(?P<level>[区县市])?第(?P<term>{NUM})届人民代表大会第(?P<session>{NUM})次会议"
)
CPPCC_SESSION = re.compile(
    rf"(?:(?P<level>[区县市])?政协|政协(?:[^\s，。]{{0,10}}?(?P<level2>[区县市]))?)"
    rf"(?:第)?(?P<term>{NUM})届(?:委员会)?(?:第)?(?P<session>{NUM})次(?:全体)?会议"
)
NUMBER = re.compile(r"第?\s*(?P<number>\d+)\s*号\s*(?P<kind>建议|提案)")
SALUTATION = re.compile(
    r"^(?P<names>[\u4e00-\u9fa5·、，,\s]{2,60}?)(?P<word>代表|委员)(?:们)?\s*[:：]\s*$"
)
GREETING = re.compile(r"^(尊敬的|敬爱的|亲爱的)")
COLLECTIVE = {"各位", "诸位", "全体"}  # 各位代表： names nobody
PROPOSAL_TITLE = re.compile(r"《(?P<title>[^》]{4,120})》\s*[（(]?\s*第?\s*\d+\s*号\s*[）)]?")
SIGN_OFF = re.compile(
    r"此(?:复函|答复函?|函|提案答复|答复意见)已经(?P<who>[^。，,]{3,40}?)审(?:签|定|核)"
)
POSITIONS = (
    "主任|副主任|局长|副局长|区长|副区长|县长|副县长|书记|主席|部长|院长|秘书长|处长|科长|镇长|"
    "乡长|站长|所长|队长|行长|经理|会长|主任委员|负责人"
)
# Longest position names first, so 主任委员李四 reads 主任委员 + 李四, not 主任 + 委员李四.
_POSITIONS_LONGEST_FIRST = "|".join(sorted(POSITIONS.split("|"), key=len, reverse=True))
SIGNER = re.compile(
    rf"^(?P<title>.+(?:{_POSITIONS_LONGEST_FIRST}))(?P<name>[\u4e00-\u9fa5·]{{2,4}})$"
)
FEEDBACK_TO = re.compile(
    r"(?:回执|意见)[^。]{0,8}?(?:寄给|寄送|反馈给|送)(?P<to>[^，,。；;]{2,30})"
)
CONTACT = re.compile(
    r"联系人\s*[:：]\s*(?P<v>[\u4e00-\u9fa5·]{2,4}?)(?=联系|电话|手机|邮|[，,；;）)\s]|$)"
)
PHONE = re.compile(r"(?:联系)?电话\s*[:：]\s*(?P<v>[\d\-－—()（） ]{7,20}\d)")
POSTCODE = re.compile(r"邮(?:政)?编(?:码)?\s*[:：]\s*(?P<v>\d{6})")
DATE_ARABIC = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
DATE_CHINESE = re.compile(
    rf"(?P<y>[〇零一二三四五六七八九○]{{4}})\s*年\s*(?P<m>[{CN}]{{1,3}})\s*月\s*(?P<d>[{CN}]{{1,3}})\s*日"
)
DATE_LINE = re.compile(
    rf"^\s*(\d{{4}}|[〇零一二三四五六七八九○]{{4}})\s*(年\s*[\d{CN}]{{1,3}}\s*月\s*[\d{CN}]{{1,3}}\s*日|\d{{2,4}})\s*$"
)
DATE_DIGITS_ONLY = re.compile(r"^(?P<digits>(?:19|20)\d{4,6})$")
OFFICE_ENDINGS = re.compile(r"(办公室|政府|局|委员会|委|办事处|中心|公司|院|所|厅|处|部|队|站|馆)$")
NOISE = re.compile(r"^(您当前的位置|字号|A|扫一扫|小龙人|发布日期|•|·|\s*[•·]\s)")

FIELDS = {
    "body_kind": "类别（建议/提案）",
    "level": "行政级别",
    "term": "届",
    "session": "次",
    "number": "编号",
    "delegates": "代表（委员）",
    "proposal_title": "建议（提案）标题",
    "issuing_office": "发文机关",
    "body": "正文",
    "signer_title": "审签人职务",
    "signer": "审签人",
    "feedback_to": "回执寄送",
    "signing_office": "落款单位",
    "letter_date": "复函日期",
    "contact_person": "联系人",
    "contact_phone": "联系电话",
    "postcode": "邮政编码",
}


@dataclass
class ParsedLetter:
    values: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)  # field -> why it needs a look

    @property
    def missing(self):
        return [name for name in FIELDS if self.values.get(name) in (None, "", [])]


def normalise(text):
    """NFKC: full-width digits, letters and colons become half-width."""
    return unicodedata.normalize("NFKC", text)


def parse_date_digits(digits):
    """'202266' -> 2022-06-06; None when the digits allow no date or more than one."""
    year, rest = int(digits[:4]), digits[4:]
    candidates = set()
    for split in range(1, len(rest)):
        month, day = rest[:split], rest[split:]
        if len(month) > 2 or len(day) > 2:
            continue
        try:
            candidates.add(date(year, int(month), int(day)))
        except ValueError:
            continue
    return candidates.pop() if len(candidates) == 1 else None


def find_date(line):
    text = normalise(line)
    match = DATE_ARABIC.search(text)
    if match:
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None
    match = DATE_CHINESE.search(line)
    if match:
        year, month, day = (
            parse_digit_string(match["y"]),
            parse_number(match["m"]),
            parse_number(match["d"]),
        )
        try:
            return date(year, month, day)
        except (TypeError, ValueError):
            return None
    match = DATE_DIGITS_ONLY.match(text.strip())
    if match:
        return parse_date_digits(match["digits"])
    return None


def parse_reply_letter(text):
    letter = ParsedLetter()
    values = letter.values
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    lines = [line for line in lines if line]
    normalised = [normalise(line) for line in lines]
    whole = "\n".join(normalised)

    # Session and number: from the title, wherever it stands (page heading or letter head).
    congress = CONGRESS_SESSION.search(whole)
    cppcc = CPPCC_SESSION.search(whole)
    number = NUMBER.search(whole)
    kind = (
        number["kind"]
        if number
        else ("提案" if cppcc and not congress else "建议" if congress else "")
    )
    values["body_kind"] = {"建议": "congress", "提案": "cppcc"}.get(kind, "")
    found = cppcc if values["body_kind"] == "cppcc" else congress
    if found:
        # Left empty rather than guessed when the text does not say: staff fill it in.
        values["level"] = found["level"] or found.groupdict().get("level2") or ""
        values["term"] = parse_number(found["term"])
        values["session"] = parse_number(found["session"])
    values["number"] = int(number["number"]) if number else None

    # The salutation divides the letter head from the body.
    salutation_at = None
    for index, line in enumerate(normalised):
        match = SALUTATION.match(line)
        if match:
            names = re.split(r"[、，,\s]+", GREETING.sub("", match["names"].strip()))
            values["delegates"] = [n for n in names if n and n not in COLLECTIVE]
            salutation_at = index
            break

    title = PROPOSAL_TITLE.search(whole)
    values["proposal_title"] = title["title"] if title else ""

    # Issuing office: the last line before the salutation that reads like an office's name.
    head = lines[:salutation_at] if salutation_at is not None else []
    values["issuing_office"] = next(
        (
            line
            for line in reversed(head)
            if OFFICE_ENDINGS.search(line) and len(line) <= 40 and "关于" not in line
        ),
        "",
    )

    # The closing: the sign-off sentence, then signing office and date, then the contact line.
    closing_at = next((i for i, line in enumerate(normalised) if SIGN_OFF.search(line)), None)
    if closing_at is not None:
        who = SIGN_OFF.search(normalised[closing_at])["who"]
        signer = SIGNER.match(who)
        if signer:
            values["signer_title"], values["signer"] = signer["title"], signer["name"]
        else:
            values["signer_title"], values["signer"] = who, ""
            letter.notes["signer"] = "无法区分职务与姓名，请核对"
        feedback = FEEDBACK_TO.search(normalised[closing_at])
        values["feedback_to"] = feedback["to"] if feedback else ""

    # The letter's date stands on a line of its own after the closing sentence; without that
    # sentence, the last such line. A date inside a paragraph is never the letter's date.
    date_at = None
    if closing_at is not None:
        candidates = range(closing_at + 1, len(lines))
    else:
        candidates = range(len(lines) - 1, salutation_at if salutation_at is not None else -1, -1)
    for index in candidates:
        if not DATE_LINE.match(normalised[index]):
            continue
        found_date = find_date(lines[index])
        if found_date:
            values["letter_date"] = found_date
            date_at = index
            break
        if DATE_DIGITS_ONLY.match(normalised[index]):
            letter.notes["letter_date"] = f"日期“{lines[index]}”有多种读法，请填写"
    if date_at is not None:
        before = lines[(closing_at or salutation_at or 0) + 1 : date_at]
        values["signing_office"] = next(
            (line for line in reversed(before) if OFFICE_ENDINGS.search(line)), ""
        )

    # Contact details from the end of the letter only: a phone number in the body is not it.
    tail_from = closing_at if closing_at is not None else max(len(lines) - 5, 0)
    tail = "\n".join(normalised[tail_from:])
    for name, pattern in (
        ("contact_person", CONTACT),
        ("contact_phone", PHONE),
        ("postcode", POSTCODE),
    ):
        match = pattern.search(tail)
        values[name] = match["v"].strip() if match else ""

    # Body: the paragraphs between the salutation and the closing sentence.
    if salutation_at is not None:
        end = closing_at if closing_at is not None else (date_at or len(lines))
        paragraphs = [line for line in lines[salutation_at + 1 : end] if not NOISE.match(line)]
        values["body"] = "".join(f'<p style="text-indent:2em">{escape(p)}</p>' for p in paragraphs)
    for name in FIELDS:
        values.setdefault(name, "")
    return letter

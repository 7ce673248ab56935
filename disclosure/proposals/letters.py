"""Read a reply letter (pasted from an old site, or taken from a Word or text file) into its parts.

Offices write these letters in many layouts: the session short or long (区十九届人大三次会议,
政协子洲县第十届委员会第二次会议), the issuing office in the title line or in parentheses after
it, a 签发人 line or a sentence naming who signed the letter off, a handling category (类别：A),
the letter's own 文号, the proposal's title in 《》, in quotes or in neither. Text copied from a
web page carries the page around it too (breadcrumbs, 来源 boxes, 上一条/下一条 links, footers,
the letter a second time): that is dropped before anything is read, so a number, session or office
that only the page shows is never taken for the letter's.

The parser copes with text that lost characters in copying (年/月/日, 〔〕, quotation marks:
"202266" for 2022年6月6日), full-width digits, traditional characters, spaced labels and names
and dates in Chinese numerals. It never guesses: what it cannot find it leaves empty and lists
in ``missing``, and ``notes`` says why a part needs a look.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.html import escape

from disclosure.proposals.traditional import to_simplified
from portal.cnnum import parse_digit_string, parse_number

CN = "一二三四五六七八九十百〇零两"
SESSION_NUM = rf"[\d{CN}]{{1,4}}"
LEVELS = "区县市州旗省"
CHINESE = "\u4e00-\u9fa5"

FIELDS = {
    "body_kind": "类别（建议/提案）",
    "level": "行政级别",
    "term": "届",
    "session": "次",
    "number": "编号",
    "delegates": "代表（委员）",
    "proposal_title": "建议（提案）标题",
    "category": "办理类别",
    "doc_number": "文号",
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


@dataclass
class Line:
    """A line as written (``raw``) and folded for matching (``text``: half-width, simplified),
    character for character, so a match's span in ``text`` is the same span in ``raw``."""

    raw: str
    text: str

    @property
    def compact(self):
        return re.sub(r"\s+", "", self.text)


def normalise(text):
    """NFKC: full-width digits, letters and colons become half-width."""
    return unicodedata.normalize("NFKC", text)


def fold(text):
    """Half-width and simplified, one character for one (a character NFKC would widen stays)."""
    chars = (unicodedata.normalize("NFKC", char) for char in text)
    return to_simplified("".join(n if len(n) == 1 else c for c, n in zip(text, chars, strict=True)))


def squeeze(text):
    return re.sub(r"\s+", "", text)


# --- Page chrome: what a copied web page carries besides the letter ---------------------------

CHROME = re.compile(
    r"^(?:上一[条篇页]|下一[条篇页]|相关(?:链接|文章|阅读|新闻|信息)|您?(?:当前|现在|所在)?的?位置|"
    r"当前位置|首页\s*[>/›»＞]|来源|信息来源|文章来源|作者|发布(?:时间|日期|机构)|发文日期|更新(?:时间|日期)|"
    r"时间\s*[:：]|浏览|阅读\s*[:：(（\d]|访问量|点击|字号|字体|【?打印|【?关闭|分享|是否同意公开|索引号|"
    r"公开(?:目录|方式|范围|时限)\s*[:：]|信息分类|主题分类|有效性\s*[:：]|附件下载|扫一扫|小龙人|"
    r"[\[【(（]?\s*[大中小]\s*[\]】)）]|[•·●◆■▪|]|[A-Za-z]{1,2}$)"
)
# Words a body may use too (联系我们) end the letter only where a line starts with them.
FOOTER = re.compile(
    r"公网安备|ICP备|网站标识码|^(?:返回顶部|版权所有|扫一扫|小龙人|网站地图|联系我们|关于我们)"
)
REPOST_START = re.compile(r"以下(?:为|是)(?:答复|复函)(?:原文|全文)|(?:答复|复函)(?:原文|全文)如下")


def is_chrome(line):
    return bool(CHROME.match(line.compact)) or bool(CHROME.match(line.text))


def letter_lines(text):
    """The text's non-empty lines with the page chrome around the letter dropped."""
    lines = []
    for raw in text.replace("\r", "\n").split("\n"):
        raw = raw.strip()
        if raw:
            lines.append(Line(raw, fold(raw)))
    starts = [i for i, line in enumerate(lines) if REPOST_START.search(line.compact)]
    if starts:  # a news repost: its own header, dates and lead are not the letter's
        lines = lines[starts[0] + 1 :]
    return [line for line in lines if not is_chrome(line)]


# --- The salutation divides the letter's head from its body -----------------------------------

GREETING = r"(?:尊敬的|尊敬|敬爱的|亲爱的)?"
NAME_CHARS = rf"[{CHINESE}·]"
# Names, then what may stand between them and 代表/委员: 等N名, a place and its 政协/人大.
SALUTATION = re.compile(
    rf"^{GREETING}(?P<names>{NAME_CHARS}(?:[{CHINESE}·、,，\s]){{0,60}}?)"
    rf"(?:等\s*(?:[\d{CN}]+\s*[名位人个]?)?)?"
    rf"(?:(?:政协|人大)[{CHINESE}]{{0,10}}?[{LEVELS}]?|[{CHINESE}]{{0,10}}?[{LEVELS}](?:政协|人大))?"
    r"(?P<word>代表|委员)(?:们)?\s*(?:(?P<colon>[:：])\s*(?P<rest>.*))?$"
)
ORGANISATION_SALUTATION = re.compile(rf"^{GREETING}(?P<to>[{CHINESE}()（）]{{2,20}})\s*[:：]\s*$")
COLLECTIVE = {"各位", "诸位", "全体"}  # 各位代表： names nobody
LABEL_WORDS = re.compile(
    r"类别|签发|文号|联系|电话|抄送|抄报|承办|主办|协办|题目|内容|标题|附件|日期|主送|如下|答复|函复|情况"
)


@dataclass
class Salutation:
    at: int
    delegates: list
    word: str = ""  # 代表 or 委员; empty for a letter to an organisation
    rest: str = ""  # text after the colon on the same line: the body's first words
    to: str = ""  # the organisation addressed


def read_salutation(lines):
    """The first line that greets delegates (or, failing that, an organisation), or None."""
    for index, line in enumerate(lines):
        match = SALUTATION.match(line.text)
        if match and (match["colon"] or not match["rest"]) and len(match["names"]) <= 60:
            names = re.split(r"[、,，]+", line.raw[match.start("names") : match.end("names")])
            names = [squeeze(n) for n in names if squeeze(n) and squeeze(n) not in COLLECTIVE]
            rest = line.raw[match.start("rest") :].strip() if match["rest"] else ""
            return Salutation(index, names, match["word"], rest)
    for index, line in enumerate(lines):
        match = ORGANISATION_SALUTATION.match(line.compact)
        if match and not LABEL_WORDS.search(match["to"]):
            return Salutation(index, [], to=match["to"])
    return None


def drop_repeated_letter(lines, salutation):
    """A page that shows the letter twice: keep the first copy (with its title only once)."""
    if salutation is None:
        return lines
    first = lines[salutation.at].compact
    again = [i for i in range(salutation.at + 1, len(lines)) if lines[i].compact == first]
    if not again:
        return lines
    cut = again[0]
    head = {line.compact for line in lines[: salutation.at]}
    while cut > salutation.at + 1 and lines[cut - 1].compact in head:
        cut -= 1
    return lines[:cut]


def cut_footer(lines, salutation):
    """Everything after a site footer that follows the letter (contacts of the site, not the office)."""
    start = salutation.at + 1 if salutation else 0
    for index in range(start, len(lines)):
        if FOOTER.search(lines[index].compact):
            return lines[:index]
    return lines


# --- Session, number and the kind of item ------------------------------------------------------

LEVEL = rf"(?P<level>全国|[{LEVELS}])?"
TERM = rf"第?(?P<term>{SESSION_NUM})届"
TIMES = rf"第?(?P<session>{SESSION_NUM})次"
CONGRESS = r"(?:人民代表大会|人大)(?:常务委员会|常委会)?"
SESSION_PATTERNS = [
    # 区第十八届人民代表大会第一次会议, 县十六届人大一次会议, 十三届全国人大五次会议
    ("congress", re.compile(rf"{LEVEL}{TERM}(?P<national>全国)?{CONGRESS}{TIMES}")),
    # 兴庆区人大四届三次会议
    ("congress", re.compile(rf"{LEVEL}{CONGRESS}{TERM}{TIMES}")),
    # 政协子洲县第十届委员会第二次会议, 政协十届三次会议
    ("cppcc", re.compile(rf"政协(?P<place>[^第届\d{CN}]{{0,12}}?){TERM}(?:委员会)?{TIMES}")),
    # 县政协十一届四次会议, 区政协第十六届第一次会议, 全国政协十四届二次会议
    ("cppcc", re.compile(rf"{LEVEL}政协(?:委员会)?{TERM}(?:委员会)?{TIMES}")),
    # 武定县第九届政协第四次会议
    ("cppcc", re.compile(rf"{LEVEL}{TERM}政协(?:委员会)?{TIMES}")),
]
# 东区十一届人民代表大会 with no 次: the term alone, the session left to staff.
TERM_ONLY = re.compile(rf"{LEVEL}{TERM}(?P<national>全国)?(?:人民代表大会|人大)(?!常)")

KINDS = {"建议": "congress", "建议案": "congress", "议案": "congress", "议事原案": "congress",
         "提案": "cppcc"}  # fmt: skip
NUMBER_NUM = rf"(?<![\d.])(?P<number>\d{{1,5}}|[{CN}]{{1,6}})"
NUMBER_PATTERNS = [
    # 第94号建议, 94号建议 (the 第 lost at a line break), 第N号代表建议, 第48号建议案
    re.compile(rf"第?{NUMBER_NUM}号(?:代表|委员)?(?P<kind>建议案|建议|提案|议事原案|议案)"),
    # 《…》(第38号), 《…》(第201号提案), 《…》(72号)
    re.compile(rf"[》”\"][(]第?{NUMBER_NUM}号(?P<kind>建议|提案)?[)]"),
    # 第16号“关于…的建议”: the number fused with a quoted title
    re.compile(rf"第{NUMBER_NUM}号[“\"《「]"),
    # “123号”建议 (the number in quotes, as some rules prescribe the title)
    re.compile(rf"[“\"]{NUMBER_NUM}号[”\"](?P<kind>建议|提案)"),
]
NUMBER_LINE = re.compile(r"^第(?P<number>\d{1,5})号$")  # a proposal form's heading


def session_text(lines):
    text = "".join(line.compact for line in lines)
    return text.replace("中国人民政治协商会议", "政协")


def find_session(text):
    """The earliest session the text names: (kind, level, term, session), or None."""
    found = []
    for kind, pattern in SESSION_PATTERNS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), kind, match))
    if not found:
        match = TERM_ONLY.search(text)
        if not match:
            return None
        found.append((match.start(), "congress", match))
    _, kind, match = min(found, key=lambda item: item[0])
    groups = match.groupdict()
    level = groups.get("national") or groups.get("level") or ""
    place = groups.get("place") or ""
    if not level and place[-2:] == "全国":
        level = "全国"
    elif not level and place and place[-1] in LEVELS:
        level = place[-1]
    session = parse_number(groups["session"]) if groups.get("session") else None
    return kind, level, parse_number(groups["term"]), session


def find_number(text):
    """The earliest proposal number the text names: (number, kind word or ""), or None."""
    found = []
    for pattern in NUMBER_PATTERNS:
        match = pattern.search(text)
        if match:
            found.append(match)
    if not found:
        return None
    match = min(found, key=lambda m: m.start())
    return parse_number(match["number"]), match.groupdict().get("kind") or ""


def read_session_and_number(values, head, body, salutation):
    """Session and number from the title (the letter's head) first, then the body."""
    session = number = None
    for region in (head, body):
        text = session_text(region)
        session = session or find_session(text)
        number = number or find_number(text)
    if number is None:
        lone = next(
            (NUMBER_LINE.match(line.compact) for line in head if NUMBER_LINE.match(line.compact)),
            None,
        )
        number = (int(lone["number"]), "") if lone else None
    kind = (
        (session and session[0])
        or KINDS.get(number[1] if number else "")
        or {"代表": "congress", "委员": "cppcc"}.get(salutation.word if salutation else "", "")
    )
    values["body_kind"] = kind
    if session:
        values["level"], values["term"], values["session"] = session[1], session[2], session[3]
    values["number"] = number[0] if number else None


# --- The letter head: 文号, 类别, issuing office ------------------------------------------------

BRACKETS = r"[〔\[【(［]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]】)］]"
DOC_NUMBER = re.compile(
    rf"(?:^|\s|[:：])(?P<prefix>[{CHINESE}]{{1,12}}?)\s*(?:字\s*[:：]?\s*)?{BRACKETS}\s*(?P<serial>\d{{1,5}})\s*号"
)
DOC_NUMBER_LABELLED = re.compile(r"^文\s*号\s*[:：]\s*(?P<v>\S.{2,40}?号)")
CATEGORY = re.compile(
    r"^(?:办理|答复)?(?:类别|分类|办理结果)[:：]?[(（]?(?P<v>[A-Da-d甲乙丙丁])(?:类)?[)）]?(?:$|[^A-Za-z])"
)
CATEGORY_OTHER = re.compile(r"^(?:办理|答复)?类别[:：](?P<v>[^A-Za-z\s]{1,6})$")
CATEGORY_ALONE = re.compile(r"^(?P<v>[A-D甲乙丙丁])类$")
OFFICE_ENDINGS = re.compile(r"(办公室|政府|局|委员会|委|办事处|中心|公司|院|所|厅|处|部|队|站|馆)$")
PARENTHESISED_AGENCY = re.compile(r"[(（][^()（）]{2,20}[)）]$")  # 农业农村局(乡村振兴局)
OFFICE_IN_TITLE = re.compile(r"^(?P<office>[^\s:：,，。]{2,40}?)(?:关于|对)")
OFFICE_AFTER_TITLE = re.compile(
    r"(?:复函|答复|的函|意见|回复)[(（](?P<office>[^()（）]{2,30})[)）]$"
)
OFFICE_LABELLED = re.compile(r"^(?:承办|答复|发文)单位\s*[:：]\s*(?P<office>[^\s:：]{2,40})")
OFFICE_IN_CONTACT = re.compile(r"^联系单位(?:及电话)?\s*[:：]\s*(?P<office>[^\s\d:：]{2,40})")
RED_HEAD = re.compile(r"文件$")


def read_doc_number(values, head):
    """The letter's own 文号, in a head line (never the body's references to other papers)."""
    for line in head:
        labelled = DOC_NUMBER_LABELLED.match(line.text)
        match = DOC_NUMBER.search(" " + line.text)
        if labelled:
            values["doc_number"] = squeeze(labelled["v"])
        elif match and not re.search(r"[《》“”\"]", line.text):
            prefix = squeeze(match["prefix"])
            prefix += "字" if prefix == "建议" else ""
            values["doc_number"] = f"{prefix}〔{match['year']}〕{match['serial']}号"
        else:
            continue
        return


def read_category(values, notes, head):
    """类别：A类, 类 别：B, 办理结果：(C); 类别：提案 names the kind of item, not a category."""
    for line in head:
        text = line.compact.upper().replace("：", ":")
        match = CATEGORY.match(text) or CATEGORY_ALONE.match(text)
        if match:
            values["category"] = match["v"]
            return
        other = CATEGORY_OTHER.match(line.compact)
        if other:
            notes["category"] = f"“{line.raw}”写的是件的种类，不是办理类别（A、B、C 类）。"


def office_name(line):
    """The line itself when it reads as an office's name (a red head's 文件 left off)."""
    text = RED_HEAD.sub("", line.compact) if len(line.compact) > 4 else line.compact
    if len(text) > 40 or re.search(r"[:：,，。;；关于对]", text):
        return ""
    bare = PARENTHESISED_AGENCY.sub("", text)
    if not OFFICE_ENDINGS.search(bare):
        return ""
    return raw_of(line, text)


def read_issuing_office(values, head, tail):
    """The office on a line of its own above the title; else in the title line (before 关于,
    or in parentheses after it); else under 承办单位 or in a contact line."""
    for line in reversed(head):
        office = office_name(line)
        if office:
            values["issuing_office"] = office
            return
    for line in head:
        for pattern in (OFFICE_IN_TITLE, OFFICE_AFTER_TITLE):
            match = pattern.search(line.compact)
            if match and OFFICE_ENDINGS.search(PARENTHESISED_AGENCY.sub("", match["office"])):
                values["issuing_office"] = raw_of(line, match["office"])
                return
    for line in head + tail:
        match = OFFICE_LABELLED.match(line.compact) or OFFICE_IN_CONTACT.match(line.compact)
        if match:
            values["issuing_office"] = raw_of(line, match["office"])
            return


def raw_of(line, folded_part):
    """The part of ``line`` as written that ``folded_part`` (found in its compact text) covers."""
    raw = squeeze(line.raw)
    start = line.compact.find(folded_part)
    return raw[start : start + len(folded_part)] if start >= 0 else folded_part


# --- The proposal's title -----------------------------------------------------------------------

RECEIPT = re.compile(r"提出|所提|收悉|收到|交(?:由)?我|研究办理|列为|你们|您们|您|你")
TITLE_IN_BOOK_MARKS = re.compile(r"《(?P<t>[^《》]{4,150})》")
# A quoted title stands where the title does: after 提出的 or 关于, or first in the sentence.
TITLE_IN_QUOTES = re.compile(
    r"(?:^|提出的|所提的|提的|提出了|关于)\s*[“\"「](?P<t>[^“”\"「」]{4,150})[”\"」]"
)
TITLE_UNMARKED = re.compile(
    r"(?:提出|所提|提)(?:了|的)?\s*(?P<t>关于[^《》，,。;；:：]{2,150}?的(?:建议|提案|议案|意见))"
)
TITLE_LABELLED = re.compile(r"^(?:题\s*目|标\s*题|案\s*由)\s*[:：]\s*(?P<t>.{4,150})$")


def title_in(line):
    """The proposal title a sentence names: in 《》, in quotes, or after 提出的 with no marks."""
    for pattern in (TITLE_IN_BOOK_MARKS, TITLE_IN_QUOTES, TITLE_UNMARKED):
        match = pattern.search(line.text)
        if match:
            title = line.raw[match.start("t") : match.end("t")].strip()
            return title
    return ""


def read_proposal_title(values, head, body):
    """From the body's first sentence that acknowledges the proposal, else from the head."""
    for line in head + body:
        match = TITLE_LABELLED.match(line.text)
        if match:
            values["proposal_title"] = line.raw[match.start("t") :].strip()
            return
    for line in body[:4]:
        if RECEIPT.search(line.text):
            title = title_in(line)
            if title:
                values["proposal_title"] = title
                return
    for line in head:
        match = TITLE_IN_BOOK_MARKS.search(line.text)
        if match:
            values["proposal_title"] = line.raw[match.start("t") : match.end("t")]
            return


# --- The closing: who signed it off, the office, the date, the contact -------------------------

SIGN_OFF = re.compile(
    r"(?:此|本|该)(?:复函|答复函?|函|提案答复|建议答复|答复意见|办理意见)(?:已)?经(?:过)?"
    r"(?P<who>[^。，,;；]{2,40}?)(?:审签|审定|审核|签发|审阅)"
)
POSITIONS = (
    "主任|副主任|局长|副局长|区长|副区长|县长|副县长|市长|副市长|书记|副书记|主席|副主席|部长|院长|"
    "秘书长|处长|科长|镇长|乡长|站长|所长|队长|行长|经理|会长|主任委员|负责人|党组书记|校长|主任"
)
# Longest position names first, so 主任委员李四 reads 主任委员 + 李四, not 主任 + 委员李四.
_POSITIONS_LONGEST_FIRST = "|".join(sorted(set(POSITIONS.split("|")), key=len, reverse=True))
SIGNER = re.compile(rf"^(?P<title>.+(?:{_POSITIONS_LONGEST_FIRST}))(?P<name>[{CHINESE}·]{{2,4}})$")
# 唐贤源局长, 我局张三局长, 区交通局李四副局长: the name first, the position after it.
SIGNER_NAME_FIRST = re.compile(
    rf"^(?:我[局委办院]|本[局委办院]|.*?(?:局|委|办|室|院|府|部|处|所|中心))?"
    rf"(?P<name>[{CHINESE}·]{{2,4}}?)(?P<title>(?:常务)?(?:{_POSITIONS_LONGEST_FIRST}))$"
)
NAME = rf"(?P<name>[{CHINESE}·](?:\s?[{CHINESE}·]){{1,4}}?)(?=[\s\d,，;；)）:：]|联系|电话|手机|职务|邮|$)"
SIGNER_LABEL = re.compile(
    r"(?:签\s*发\s*人?|领\s*导\s*签\s*[发字]|单位负责人|主要负责人|主管领导人?(?:\s*姓\s*名)?|审\s*签\s*人)"
    rf"\s*[:：]\s*(?:{NAME})?"
)
CONTACT_PATTERNS = [
    re.compile(
        r"(?:联\s*系\s*人(?:\s*及\s*电\s*话)?|(?:具\s*体\s*)?经\s*办\s*人(?:\s*姓\s*名)?|承\s*办\s*人)"
        rf"\s*[:：]\s*{NAME}"
    ),
    re.compile(rf"联\s*系\s*电\s*话\s*[:：]\s*{NAME}\s*\d"),  # (联系电话:张鹤 15877532299)
]
PHONE = re.compile(
    rf"(?:电\s*话|手\s*机|联系方式)[^:：]{{0,4}}[:：]\s*(?:[{CHINESE}·\s]{{1,40}}?)?"
    r"(?P<v>\d[\d\-－—–()（） ]{5,20}\d)"
)
POSTCODE = re.compile(r"邮\s*(?:政)?\s*编\s*(?:码)?\s*[:：]\s*(?P<v>\d{6})")
FEEDBACK_TO = re.compile(
    r"(?:回执|意见表|意见)[^。]{0,12}?(?:寄给|寄送|寄回|反馈给|反馈至|送交|送)(?:至|到)?"
    r"(?P<to>[^，,。；;]{2,30})"
)
CLOSING_LINE = re.compile(
    r"^(?:此致|敬礼|[(（]?\s*(?:联\s*系\s*人|联\s*系\s*电\s*话|联系单位|具\s*体\s*经\s*办\s*人|经\s*办\s*人|"
    r"联系方式)|抄\s*[送报]\s*[:：])"
)
DATE_ARABIC = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
DATE_CHINESE = re.compile(
    rf"(?P<y>[〇零一二三四五六七八九○]{{4}})\s*年\s*(?P<m>[{CN}]{{1,3}})\s*月\s*(?P<d>[{CN}]{{1,3}})\s*日"
)
DATE_DASHED = re.compile(r"^(?P<y>(?:19|20)\d{2})[.\-/](?P<m>\d{1,2})[.\-/](?P<d>\d{1,2})$")
DATE_LINE = re.compile(
    rf"^\s*(\d{{4}}|[〇零一二三四五六七八九○]{{4}})\s*(年\s*[\d{CN}]{{1,3}}\s*月\s*[\d{CN}]{{1,3}}\s*日|\d{{2,4}})\s*$"
)
DATE_DIGITS_ONLY = re.compile(r"^(?P<digits>(?:19|20)\d{4,6})$")
DATE_FRAGMENT = re.compile(rf"^[\d{CN}○〇]{{0,6}}[年月]?[\d{CN}○〇]{{1,6}}日$")


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
    text = normalise(line).strip()
    for pattern in (DATE_ARABIC, DATE_DASHED):
        match = pattern.search(text)
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
    match = DATE_DIGITS_ONLY.match(text)
    if match:
        return parse_date_digits(match["digits"])
    return None


def is_date_line(line):
    return bool(DATE_LINE.match(line.compact) or DATE_DASHED.match(line.compact))


def closes_letter(lines, index):
    """Whether the letter's closing starts at ``lines[index]``: the sign-off sentence, 此致, a
    signer or contact line, the date, or an office's name over the date or the contact."""
    line = lines[index]
    if SIGN_OFF.search(line.text) or CLOSING_LINE.match(line.text) or is_date_line(line):
        return True
    if SIGNER_LABEL.match(line.text) or DATE_FRAGMENT.match(line.compact):
        return True
    following = lines[index + 1 : index + 3]
    return bool(office_name(line)) and (
        not following or any(is_date_line(n) or CLOSING_LINE.match(n.text) for n in following)
    )


def split_signer(who):
    """'区政府办公室主任汪文波' -> (title, name); '唐贤源局长' -> ('局长', '唐贤源')."""
    match = SIGNER.match(who)
    if match:
        return match["title"], match["name"]
    match = SIGNER_NAME_FIRST.match(who)
    if match:
        return match["title"], match["name"]
    return None


def read_signer(values, notes, head, tail):
    """A sentence naming who signed the letter off, else a 签发人 (领导签发, 单位负责人) line."""
    for line in tail:
        match = SIGN_OFF.search(line.text)
        if not match:
            continue
        who = line.raw[match.start("who") : match.end("who")]
        parts = split_signer(squeeze(who))
        if parts:
            values["signer_title"], values["signer"] = parts
        else:
            values["signer_title"] = who
            notes["signer"] = "无法区分职务与姓名，请核对"
        return line
    for line in head + tail:
        match = SIGNER_LABEL.search(line.text)
        if match and match["name"]:
            values["signer"] = squeeze(line.raw[match.start("name") : match.end("name")])
            return None
    return None


def read_date(values, notes, tail):
    """The first line of the closing that is a date and nothing else; its index, or None."""
    for index, line in enumerate(tail):
        if is_date_line(line):
            found = find_date(line.raw)
            if found:
                values["letter_date"] = found
                return index
            if DATE_DIGITS_ONLY.match(line.compact):
                notes["letter_date"] = f"日期“{line.raw}”有多种读法，请填写"
        elif DATE_FRAGMENT.match(line.compact):
            notes["letter_date"] = f"日期“{line.raw}”不完整，无法识别，请填写"
    return None


def read_signing_office(values, tail, date_at):
    """The last office name in the closing above the date (anywhere in it when undated)."""
    lines = tail[:date_at] if date_at is not None else tail
    for line in reversed(lines):
        office = office_name(line)
        if office:
            values["signing_office"] = office
            return


def read_contact(values, tail):
    """Contact person, phone and postcode from the closing only: a number in the body is not it."""
    contact_line = None
    for line in tail:
        match = next((m for p in CONTACT_PATTERNS if (m := p.search(line.text))), None)
        if match:
            values["contact_person"] = squeeze(line.raw[match.start("name") : match.end("name")])
            contact_line = line
            break
    others = [
        line for line in tail if line is not contact_line and not SIGNER_LABEL.search(line.text)
    ]
    for line in ([contact_line] if contact_line else []) + others:
        match = PHONE.search(line.text)
        if match:
            values["contact_phone"] = re.sub(r"[－—–]", "-", match["v"].strip())
            break
    for line in tail:
        match = POSTCODE.search(line.text)
        if match:
            values["postcode"] = match["v"]
            break


def read_feedback_to(values, lines):
    for line in lines:
        match = FEEDBACK_TO.search(line.text)
        if match:
            values["feedback_to"] = line.raw[match.start("to") : match.end("to")]
            return


def body_html(salutation, body):
    paragraphs = ([salutation.rest] if salutation.rest else []) + [line.raw for line in body]
    return "".join(f'<p style="text-indent:2em">{escape(p)}</p>' for p in paragraphs)


# --- The whole letter ---------------------------------------------------------------------------

PROPOSAL_FORM = re.compile(r"^(?:题\s*目|内\s*容|代表姓名|委员姓名|领衔代表|提案人)\s*[:：|]")


def split_letter(text):
    """(head, salutation, body, tail): the lines above the salutation, the salutation, the
    letter's paragraphs, and its closing (sign-off, office, date, contact, 抄送)."""
    lines = letter_lines(text)
    salutation = read_salutation(lines)
    lines = cut_footer(drop_repeated_letter(lines, salutation), salutation)
    if salutation is None:
        return lines, None, [], []
    start = salutation.at + 1
    end = next((i for i in range(start, len(lines)) if closes_letter(lines, i)), len(lines))
    return lines[: salutation.at], salutation, lines[start:end], lines[end:]


def read_addressees(values, notes, salutation, lines):
    if salutation is None:
        if any(PROPOSAL_FORM.match(line.text) for line in lines):
            notes["body"] = "这段文字像是建议（提案）原件，不是答复函；请粘贴或上传答复函全文。"
        return
    values["delegates"] = salutation.delegates
    if salutation.to:
        notes["delegates"] = (
            f"复函写给“{salutation.to}”，不是代表或委员；请填写提出建议（提案）的代表（委员）。"
        )


def parse_reply_letter(text):
    """Every part of the letter that ``text`` states, each left empty (and so listed in
    ``missing``) when the letter does not state it; nothing is taken from the page around it."""
    letter = ParsedLetter()
    values, notes = letter.values, letter.notes
    head, salutation, body, tail = split_letter(text)
    read_addressees(values, notes, salutation, head)
    read_session_and_number(values, head, body, salutation)
    read_doc_number(values, head)
    read_category(values, notes, head)
    read_proposal_title(values, head, body)
    sign_off = read_signer(values, notes, head, tail)
    if sign_off is not None:
        read_feedback_to(values, [sign_off])
    if not values.get("feedback_to"):
        read_feedback_to(values, body[-3:] + tail)
    date_at = read_date(values, notes, tail)
    read_signing_office(values, tail, date_at)
    read_issuing_office(values, head, tail)
    if not values.get("issuing_office") and values.get("signing_office"):
        values["issuing_office"] = values["signing_office"]  # the office that signs it issues it
    read_contact(values, tail)
    if salutation is not None:
        values["body"] = body_html(salutation, body)
    for name in FIELDS:
        values.setdefault(name, "")
    return letter

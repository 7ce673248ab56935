"""Chinese numerals: 十八 ↔ 18, 二〇二二 → 2022."""

DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
UNITS = {"十": 10, "百": 100}
NAMES = "〇一二三四五六七八九"


def to_chinese(n):
    """1..999 in the usual form: 1 一, 10 十, 18 十八, 21 二十一, 105 一百零五."""
    if not 0 < n < 1000:
        raise ValueError(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = ""
    if hundreds:
        text += NAMES[hundreds] + "百"
        if rest and tens == 0:
            text += "零"
    if tens:
        text += ("" if tens == 1 and not hundreds else NAMES[tens]) + "十"
    if ones:
        text += NAMES[ones]
    return text


def parse_number(text):
    """'18', '１８', '十八', '二十一', '一百零五' -> int; None when it is not a number."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in DIGITS:
            current = DIGITS[char]
        elif char in UNITS:
            total += (current or 1) * UNITS[char]
            current = 0
        else:
            return None
    return total + current


def parse_digit_string(text):
    """Digit by digit, as years are written: '二〇二二' -> 2022."""
    text = (text or "").strip()
    if text.isdigit():
        return int(text)
    if text and all(char in DIGITS for char in text):
        return int("".join(str(DIGITS[char]) for char in text))
    return None

"""A letter as a Word file (.docx): the title centred, the body's paragraphs in order, the
signature lines (right-aligned in the letter's HTML) right-aligned."""

import io
from html.parser import HTMLParser

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from portal.control_characters import strip_for_xml

ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
BLOCKS = {"p", "h1", "h2", "h3", "h4", "li", "div", "tr"}
FONT = "仿宋"  # 国家行政机关公文格式 (GB/T 9704) sets the body in 仿宋


class _Paragraphs(HTMLParser):
    """The letter's blocks as (text, alignment, first-line indent, bold)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.text, self.style, self.bold, self.depth = [], [], {}, False, 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._flush()
            self.style = _style(dict(attrs).get("style") or "")
        elif tag in ("strong", "b"):
            self.bold = True
        elif tag == "br":
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data):
        self.text.append(data)

    def _flush(self):
        text = strip_for_xml("".join(self.text)).strip()
        if text:
            self.blocks.append((text, self.style.get("text-align"), "text-indent" in self.style,
                                self.bold))  # fmt: skip
        self.text, self.style, self.bold = [], {}, False

    def close(self):
        super().close()
        self._flush()


def _style(text):
    pairs = (part.split(":", 1) for part in text.split(";") if ":" in part)
    return {k.strip().lower(): v.strip().lower() for k, v in pairs}


def paragraphs(html):
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    return parser.blocks


def letter_docx(letter):
    """The bytes of ``letter`` as a .docx."""
    word = WordDocument()
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(16)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    blocks = paragraphs(letter.body)
    # The composed letter starts with the agency and the title; the title is written once.
    if not any(text == strip_for_xml(letter.title) for text, *_ in blocks):
        title = word.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run(strip_for_xml(letter.title)).bold = True
    for text, align, indent, bold in blocks:
        paragraph = word.add_paragraph()
        paragraph.alignment = ALIGN.get(align)
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(32)
        run = paragraph.add_run(text)
        run.bold = bold
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()

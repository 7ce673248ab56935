"""The blank 政府信息公开申请表 as a Word file, for applications by post, fax or in person: the
same questions as the online form (the applicant's details, what is asked for, how to receive
it), with room to write by hand."""

import functools
import io

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from disclosure.applications.models import Application

FONT = "仿宋"

PERSON = [
    "姓名",
    "证件类型",
    "证件号码",
    "工作单位",
    "联系电话",
    "通信地址",
    "邮政编码",
    "电子邮箱",
]
ORGANISATION = [
    "名称", "统一社会信用代码", "法定代表人", "联系人姓名", "联系电话", "通信地址", "邮政编码",
    "电子邮箱",
]  # fmt: skip
WANTED = ["所需信息的名称", "所需信息的文号（可选）", "所需信息的内容描述"]


def _choices(choices):
    return "    ".join(f"□{label}" for _value, label in choices)


def _section(document, title, rows):
    heading = document.add_paragraph()
    heading.add_run(title).bold = True
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text = label
        row.cells[0].width = Cm(4.5)
        row.cells[1].text = value
        row.cells[1].width = Cm(11.5)
        if label == "所需信息的内容描述":
            row.height = Cm(4)


@functools.cache
def application_form_docx():
    """The blank form's bytes: the same every time (its text is the code's), so built once per
    process; a made-up query on its address, never kept by the page cache, costs no build."""
    document = WordDocument()
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("政府信息公开申请表")
    run.bold, run.font.size = True, Pt(18)
    document.add_paragraph("受理机关：________________________        申请日期：____年__月__日")
    applicant = _choices(Application.ApplicantType.choices)
    _section(document, "一、申请人类型", [("类型（请勾选）", applicant)])
    _section(document, "二、公民填写", [(label, "") for label in PERSON])
    _section(document, "三、法人或者其他组织填写", [(label, "") for label in ORGANISATION])
    _section(document, "四、所需信息", [(label, "") for label in WANTED])
    _section(
        document,
        "五、获取信息的方式（请勾选）",
        [
            ("提供的载体形式", _choices(Application.Medium.choices)),
            ("获取方式", _choices(Application.Delivery.choices)),
        ],
    )
    document.add_paragraph(
        "请附身份证明（公民的身份证件复印件，法人或者其他组织的营业执照等证明文件复印件）。"
        "以邮政寄送的，以受理机关签收之日为收到申请之日。"
    )
    document.add_paragraph("申请人签名或者盖章：________________")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

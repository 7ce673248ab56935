"""Word files of test letters, made in the test: python-docx writes what offices' Word writes."""

import io

from docx import Document as WordDocument

HEAD_LABELS = ("类别", "类 别", "签发人", "办理结果", "建议字")


def letter_docx(text, head_in_table=False):
    """``text`` as a .docx, a paragraph per line; with ``head_in_table`` the head's label lines
    (类别, 签发人 …) and the 文号 stand in a two-column table, as letterheads often put them."""
    document = WordDocument()
    lines = text.splitlines()
    if head_in_table:
        head = [line for line in lines[:4] if line.startswith(HEAD_LABELS) or "〔" in line]
        table = document.add_table(rows=len(head), cols=2)
        for row, line in zip(table.rows, head, strict=True):
            left, _, right = line.partition("  ")
            row.cells[0].text, row.cells[1].text = left.strip(), right.strip()
        lines = [line for line in lines if line not in head]
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

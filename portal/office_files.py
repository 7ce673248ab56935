"""Office files the portal reads (.xlsx, .docx): is this zip an acceptable Office file within
these limits?

An .xlsx or .docx is a zip of XML parts, and what reading one costs is what its parts inflate
to, not the file's size: a 300 KB file can hold gigabytes of repetitive XML. Every reader of such
a file calls ``check_archive`` before it reads anything. The check reads only the zip's central
directory and never inflates a part: the file's size, the number of parts, their uncompressed
sizes (total and each part's compression ratio), the compression method and the part that makes
the file what it claims to be. Python's zipfile never inflates a part past the size the central
directory declares, so declared sizes bound what a reader can be made to inflate; methods other
than stored and deflated (bzip2 and lzma inflate a whole block at once) are refused.

What a sheet declares about itself (its dimension) is the reader's to check; a reader must still
stop where its own limits say, since a sheet may lie.

The number of parts is read from the zip's end record before Python's zipfile builds an entry
for each of them. A .docx's text is read by ``docx_lines`` in one streaming pass over its main
part, in time and memory proportional to the part (python-docx's table model resolves each merged
cell by walking the rows above it: 40 KB of merged rows took minutes).
"""

import os
import re
import struct
import zipfile
from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from lxml import etree

# Parts smaller than this are not held to the ratio: a small part of repeated bytes costs nothing.
RATIO_FLOOR = 1024 * 1024
KINDS = {
    # kind: (the part every such file has, its name in messages)
    "xlsx": ("xl/workbook.xml", "Excel .xlsx 工作簿"),
    "docx": ("word/document.xml", "Word .docx 文档"),
}
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}


@dataclass(frozen=True)
class ArchiveLimits:
    """What a reader accepts: the file's size, its number of parts, what they inflate to in
    all, and the largest compression ratio of one part."""

    max_bytes: int
    max_members: int
    max_uncompressed: int
    max_ratio: int


class OfficeFileRefused(Exception):
    """The file is not read; the message says why in Chinese. ``not_office`` is true when it is
    not a zip holding the kind's main part at all (another format under the name)."""

    def __init__(self, message, not_office=False):
        super().__init__(message)
        self.not_office = not_office


def check_archive(file, kind, limits):
    """Raise OfficeFileRefused unless ``file`` (a path or a binary file, left at its start) is
    a zip holding a ``kind`` ("xlsx" or "docx") within ``limits``; nothing is inflated."""
    main_part, name = KINDS[kind]
    not_office = f"文件不是 {name}（可能是其他格式改了扩展名）。"
    members = _members_within(file, limits, name, not_office)
    if main_part not in {member.filename for member in members}:
        raise OfficeFileRefused(not_office, not_office=True)
    _check_members(members, name, limits)


def check_zip(file, limits, name="压缩包"):
    """Raise OfficeFileRefused unless ``file`` (a path or a binary file, left at its start) is a
    zip within ``limits`` (the same checks as ``check_archive``, with no part required); returns
    its members. Nothing is inflated."""
    members = _members_within(file, limits, name, f"文件不是 zip {name}，或已损坏。")
    if any(member.compress_type not in METHODS for member in members):
        raise OfficeFileRefused(
            f"{name}使用了不支持的压缩方式，请用常规的 zip（deflate）重新压缩。"
        )
    _check_members(members, name, limits)
    return members


def _members_within(file, limits, name, not_zip):
    """The zip's entries, read from its central directory once its size and the number of
    entries it may hold are within ``limits``."""
    size = _size(file)
    if size > limits.max_bytes:
        raise OfficeFileRefused(
            f"文件过大（{filesizeformat(size)}）：{name}不能超过 {filesizeformat(limits.max_bytes)}。"
        )
    declared = declared_members(file)
    if declared is not None and declared > limits.max_members:
        raise OfficeFileRefused(
            f"文件内含 {declared} 个部件，超过 {name} 的上限 {limits.max_members} 个。"
        )
    try:
        with zipfile.ZipFile(file) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise OfficeFileRefused(not_zip, not_office=True) from None
    finally:
        if hasattr(file, "seek"):
            file.seek(0)


def _check_members(members, name, limits):
    if len(members) > limits.max_members:
        raise OfficeFileRefused(
            f"文件内含 {len(members)} 个部件，超过 {name} 的上限 {limits.max_members} 个。"
        )
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise OfficeFileRefused(f"文件已加密，请取消密码后另存为 {name} 再上传。")
        if member.compress_type not in METHODS:
            raise OfficeFileRefused(f"文件使用了 Office 不用的压缩方式，请另存为 {name}。")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_ratio:
            raise OfficeFileRefused(
                f"文件中的“{member.filename}”压缩比为 {ratio:.0f}:1，超过上限 "
                f"{limits.max_ratio}:1，不像正常的 {name}（可能是“压缩炸弹”），不予读取。"
            )
        total += member.file_size
    if total > limits.max_uncompressed:
        raise OfficeFileRefused(
            f"文件解压后共 {filesizeformat(total)}，超过 {name} 的上限 "
            f"{filesizeformat(limits.max_uncompressed)}，不予读取。"
            "请删除多余的工作表、图片或空行后重新保存。"
        )


END_RECORD = b"PK\x05\x06"
END_RECORD_SIZE = 22
MAX_COMMENT = 0xFFFF


def declared_members(file):
    """The number of parts the zip's end record declares (None when there is none to read, or
    the zip64 record holds it): read from the file's last 64 KiB, before any entry is built."""
    handle = open(file, "rb") if not hasattr(file, "seek") else file  # noqa: SIM115
    try:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        start = max(0, size - END_RECORD_SIZE - MAX_COMMENT)
        handle.seek(start)
        tail = handle.read(size - start)
    finally:
        if handle is file:
            file.seek(0)
        else:
            handle.close()
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) - at < END_RECORD_SIZE:
        return None
    count = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    # zipfile reads the central directory by its size, whatever count the end record states:
    # each entry it builds starts with a signature, so their number bounds the entries.
    return max(central_signatures(file), 0 if count == 0xFFFF else count)


def central_signatures(file, chunk=1 << 20):
    """How many central-directory signatures ``file`` (a path or a binary file, left at its
    start) holds: at least as many as the entries zipfile builds from it."""
    handle = open(file, "rb") if not hasattr(file, "seek") else file  # noqa: SIM115
    count, tail = 0, b""
    try:
        handle.seek(0)
        while block := handle.read(chunk):
            data = tail + block
            count += data.count(b"PK\x01\x02")
            tail = data[-3:]
    finally:
        if handle is file:
            file.seek(0)
        else:
            handle.close()
    return count


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RUN_TEXT = {W + "t": None, W + "tab": "\t", W + "br": "\n", W + "cr": "\n"}


# Elements a letter's main part may hold: a 100,000-character letter formatted run by run has
# about a tenth of this.
MAX_DOCX_ELEMENTS = 250_000


class DocxUnreadable(Exception):
    """The .docx's main part is not well-formed XML, nests deeper than XML parsers allow,
    declares a DOCTYPE, or holds more than MAX_DOCX_ELEMENTS elements, comments and
    processing instructions."""


PROLOG_BYTES = 64 * 1024
_PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.S)
_ROOT_START = re.compile(rb"<[A-Za-z_:\x80-\xff]")
_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def prolog_problem(part):
    """What is wrong with the XML ``part``'s prolog (a binary stream, left at its start), or
    None: it must reach its root element within PROLOG_BYTES without declaring a DOCTYPE.
    Office parts carry none (ECMA-376 forbids them), and a parser reads a DTD's declarations
    whatever the limits on elements."""
    head = part.read(PROLOG_BYTES)
    part.seek(0)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    # Office writes its parts in UTF-8; another encoding (a byte order mark, NUL bytes of
    # UTF-16/32, a declaration naming one) would hide a DOCTYPE from this check.
    if b"\x00" in head[:4] or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "不是 UTF-8 编码的 XML"
    declared = _DECLARED_ENCODING.match(head)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return "不是 UTF-8 编码的 XML"
    at = 0
    while True:
        item = _PROLOG_ITEM.match(head, at)
        if item is None:
            break
        at = item.end()
    rest = head[at:].lstrip()
    if rest[:9].upper() == b"<!DOCTYPE":
        return "含有 Office 文件不会有的 DOCTYPE 声明"
    if not _ROOT_START.match(rest):  # an unfinished comment or PI past the window is no root
        return "找不到 XML 的根元素"
    return None


def docx_lines(file, max_chars):
    """The text of a .docx checked by ``check_archive``: each paragraph one line, in the order
    they stand (a table's paragraphs cell by cell, row by row; a merged cell once), stopping
    once more than ``max_chars`` characters were read. One streaming pass: every element is
    dropped from memory once read, so memory holds only the path to the current element;
    text boxes inside a paragraph are left out as Word's own reading order would not place
    them."""
    lines, length, open_paragraphs, elements = [], 0, 0, 0
    with zipfile.ZipFile(file) as archive, archive.open(KINDS["docx"][0]) as part:
        if prolog_problem(part):
            raise DocxUnreadable
        events = etree.iterparse(
            part,
            events=("start", "end", "comment", "pi"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
        )
        try:
            for event, element in events:
                if event != "end":  # comments and processing instructions count, and are kept
                    elements += 1  # in the tree until their next sibling's end drops them
                    if elements > MAX_DOCX_ELEMENTS:
                        raise DocxUnreadable
                if event in ("comment", "pi"):
                    continue
                if event == "start":
                    open_paragraphs += element.tag == W + "p"
                    continue
                if element.tag == W + "p":
                    open_paragraphs -= 1
                    if not open_paragraphs:  # a paragraph in a text box: its outer one decides
                        text = _paragraph_text(element)
                        if text or not _in_table(element):
                            lines.append(text)
                            length += len(text) + 1
                if not open_paragraphs:
                    _forget(element)
                if length > max_chars:
                    break
        except etree.XMLSyntaxError:
            raise DocxUnreadable from None
    if hasattr(file, "seek"):
        file.seek(0)
    return lines


def _paragraph_text(paragraph):
    parts = []
    for run in paragraph.iterchildren(W + "r", W + "hyperlink", W + "ins", W + "smartTag"):
        runs = [run] if run.tag == W + "r" else run.iterchildren(W + "r")
        for each in runs:
            for child in each.iterchildren(*RUN_TEXT):
                parts.append(child.text or "" if child.tag == W + "t" else RUN_TEXT[child.tag])
    return "".join(parts)


def _in_table(paragraph):
    parent = paragraph.getparent()
    return parent is not None and parent.tag == W + "tc"


def _forget(element):
    """Free what was read: the element's content and the siblings before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _size(file):
    if hasattr(file, "seek"):
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
        return size
    return os.stat(file).st_size

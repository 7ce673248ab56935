"""What a file is, told by its content: the one table of magic bytes.

``sniff(head)`` names the family the first bytes show (pdf, ole2, zip, png, jpeg, gif, webp) or
None; ``archive_family(names)`` tells a zip's kind by its parts (ofd, docx, xlsx, or a plain
zip); ``identify(file)`` does both for an open file. A file is what its *start* says: a GIF with
a zip appended is a GIF, an HTML page with "%PDF-" inside it is nothing. Each caller keeps its
own allow-list of the families it accepts and what it serves them as; none reads magic bytes
itself.
"""

import zipfile

HEAD_BYTES = 16  # enough for every entry of MAGIC
BROKEN_ZIP = "broken-zip"  # what ``identify`` calls a zip that cannot be opened

# family -> the byte strings at given offsets that all must be there.
MAGIC = (
    ("pdf", ((0, b"%PDF-"),)),
    ("ole2", ((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),)),  # .doc .xls .wps .et
    ("zip", ((0, b"PK\x03\x04"),)),  # .zip .docx .xlsx .ofd
    ("zip", ((0, b"PK\x05\x06"),)),  # an empty archive
    ("png", ((0, b"\x89PNG\r\n\x1a\n"),)),
    ("jpeg", ((0, b"\xff\xd8\xff"),)),
    ("gif", ((0, b"GIF87a"),)),
    ("gif", ((0, b"GIF89a"),)),
    ("webp", ((0, b"RIFF"), (8, b"WEBP"))),
)
IMAGES = frozenset({"png", "jpeg", "gif", "webp"})
ARCHIVES = frozenset({"zip", "ofd", "docx", "xlsx"})  # what sniff calls "zip"

# The type each family is served as, where one type fits the whole family.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


def sniff(head):
    """The family the first bytes ``head`` show, or None (too short, or nothing known)."""
    head = bytes(head[:HEAD_BYTES])
    for family, marks in MAGIC:
        if all(head[offset : offset + len(mark)] == mark for offset, mark in marks):
            return family
    return None


def archive_family(names):
    """What a zip holding the parts ``names`` is: ofd, docx, xlsx, or zip."""
    lowered = {name.lower() for name in names}
    if "ofd.xml" in lowered:
        return "ofd"
    if "[content_types].xml" in lowered:
        if any(name.startswith("word/") for name in lowered):
            return "docx"
        if any(name.startswith("xl/") for name in lowered):
            return "xlsx"
    return "zip"


def zip_names(file):
    """The part names of the zip ``file`` (read from its directory), or None when it cannot be
    opened as one; leaves ``file`` at its start."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)


def identify(file):
    """The family of the open binary ``file``: ``sniff`` of its start, and for a zip its kind
    (``archive_family``); BROKEN_ZIP for a zip that cannot be opened. Leaves it at its start."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    family = sniff(head)
    if family != "zip":
        return family
    names = zip_names(file)
    return BROKEN_ZIP if names is None else archive_family(names)

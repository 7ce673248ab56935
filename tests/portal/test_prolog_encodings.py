"""An Office XML part declaring a DOCTYPE is refused in whatever encoding the parser would read
it (``portal.office_files.prolog_problem``, used by the letter reader and the sheet reader).
libxml2 (letters) reads a part in UTF-16 or UTF-32 that has no byte order mark, and expat
(sheets) one in UTF-16, where "<!DOCTYPE" is no longer those nine bytes. (With a byte order
mark the part is refused today, as having no root element.)"""

import io

import pytest

from portal.office_files import prolog_problem

DOCTYPE_PART = (
    '<?xml version="1.0" encoding="{encoding}"?>'
    '<!DOCTYPE worksheet [<!ENTITY e0 "x">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
)


@pytest.mark.parametrize(
    ("encoding", "codec"),
    [
        ("UTF-16", "utf-16-le"),  # found by the parsers from "<\0?\0", no byte order mark
        ("UTF-32", "utf-32-le"),
    ],
)
def test_a_doctype_in_a_part_written_in_another_encoding_is_found(encoding, codec):
    part = DOCTYPE_PART.format(encoding=encoding).encode(codec)
    assert prolog_problem(io.BytesIO(part)) is not None

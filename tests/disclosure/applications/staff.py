"""Helpers for the admin tests of applications."""

import io

from PIL import Image

from tests.factories import StaffUserFactory


def staff_with(role, *agencies, **kwargs):
    return StaffUserFactory(role=role, agencies=agencies, **kwargs)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()

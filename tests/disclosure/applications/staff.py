"""Helpers for the admin tests of applications."""

import io

from django.contrib.auth.models import Group
from PIL import Image

from tests.factories import StaffUserFactory


def staff_with(role, *agencies, **kwargs):
    user = StaffUserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    for agency in agencies:
        user.agencies.add(agency)
    return user


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()

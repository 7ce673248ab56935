"""Files no URL serves: kept under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, and handed out only
by views that check who asks (e.g. a co-handling unit's opinion attachments)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    @property
    def base_location(self):
        # Read on every use, so a changed setting (tests, a moved volume) is followed.
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks access.")


def private_storage():
    return PrivateFileStorage()

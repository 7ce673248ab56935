"""Uploads kept privately between a preview and the step that applies it (a directory, an old
site's package): stored under PRIVATE_MEDIA_ROOT by a random name, named to the browser only by a
signed ticket, read again by the step (nothing the browser sends back is taken as the file), and
forgotten after a day."""

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import signing

KEEP_SECONDS = 24 * 3600
TICKET_MAX_AGE = 3600


@dataclass(frozen=True)
class PrivateUploads:
    folder_name: str  # under PRIVATE_MEDIA_ROOT
    suffixes: tuple  # what a stored name may end with: (".csv", ".xlsx")
    ticket_salt: str

    def folder(self):
        return Path(settings.PRIVATE_MEDIA_ROOT) / self.folder_name

    def _is_ours(self, name):
        pattern = "|".join(re.escape(suffix) for suffix in self.suffixes)
        return re.fullmatch(rf"[0-9a-f]{{32}}({pattern})", name or "") is not None

    def store(self, uploaded, suffix, *, max_files=None):
        """Keep a checked upload; returns its stored name and SHA-256. Older ones are forgotten.
        With ``max_files``: None, and nothing kept, when that many are kept already."""
        folder = self.folder()
        folder.mkdir(parents=True, exist_ok=True)
        kept = self.forget_old()
        if max_files is not None and kept >= max_files:
            return None
        name = f"{secrets.token_hex(16)}{suffix}"
        digest = hashlib.sha256()
        with open(folder / name, "wb") as out:
            for chunk in uploaded.chunks():
                digest.update(chunk)
                out.write(chunk)
        return name, digest.hexdigest()

    def forget_old(self):
        """Delete the uploads kept longer than KEEP_SECONDS; returns how many are left."""
        folder = self.folder()
        if not folder.is_dir():
            return 0
        cutoff = time.time() - KEEP_SECONDS
        left = 0
        for path in folder.iterdir():
            if not self._is_ours(path.name):
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
                else:
                    left += 1
            except FileNotFoundError:  # taken or forgotten by another request meanwhile
                pass
        return left

    def path(self, name):
        """The path of a stored upload, or None when it is gone or the name is not one of ours."""
        if not self._is_ours(name):
            return None
        path = self.folder() / name
        return path if path.is_file() else None

    def discard(self, name):
        path = self.path(name)
        if path is not None:
            path.unlink(missing_ok=True)

    def make_ticket(self, **values):
        return signing.dumps(values, salt=self.ticket_salt, compress=True)

    def read_ticket(self, ticket):
        """The values of a ticket made in the last hour; signing.BadSignature otherwise."""
        return signing.loads(ticket or "", salt=self.ticket_salt, max_age=TICKET_MAX_AGE)


def digest_of(path):
    """The SHA-256 of a stored upload, to tell it is the file the preview read."""
    digest = hashlib.sha256()
    with open(path, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()

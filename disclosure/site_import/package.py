"""An old site's export, as a folder or a zip: the metadata file, ``bodies/`` and
``attachments/``. Every read is bounded; a zip is checked from its directory before anything in
it is read (``portal.office_files.check_zip``)."""

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.template.defaultfilters import filesizeformat

from portal.office_files import ArchiveLimits, OfficeFileRefused, check_zip

METADATA_NAMES = ("metadata", "元数据", "目录", "文件目录", "信息目录")
METADATA_SUFFIXES = (".xlsx", ".csv", ".json")
BODY_FOLDER, ATTACHMENT_FOLDER = "bodies", "attachments"
BODY_MAX_BYTES = 5 * 1024 * 1024
METADATA_MAX_BYTES = 64 * 1024 * 1024
# An upload through the admin: a district office's own site, a few thousand documents.
UPLOAD_LIMITS = ArchiveLimits(
    max_bytes=1024 * 1024 * 1024,
    max_members=20_000,
    max_uncompressed=4 * 1024 * 1024 * 1024,
    max_ratio=100,
)
# A whole site through the command: a hundred thousand documents and their attachments.
COMMAND_LIMITS = ArchiveLimits(
    max_bytes=64 * 1024**3,
    max_members=1_000_000,
    max_uncompressed=128 * 1024**3,
    max_ratio=100,
)


class PackageRefused(Exception):
    """The package cannot be read; the message says why in Chinese."""


@dataclass(frozen=True)
class Entry:
    name: str  # the path inside the package, "/"-separated
    size: int


def _zip_name(member):
    # Zips made on Chinese Windows store names in GBK without the UTF-8 flag; Python reads them
    # as cp437.
    if member.flag_bits & 0x800:
        return member.filename
    try:
        return member.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


class Package:
    """What the importer reads: entries by name, each read within a limit."""

    def __init__(self, entries):
        self.entries = entries  # {name: (Entry, handle)}
        self.prefix = _common_prefix(entries)

    def find(self, name):
        """The Entry at ``name`` (relative to the package's top folder), or None."""
        found = self.entries.get(self.prefix + name)
        return found[0] if found else None

    def metadata_entry(self):
        candidates = [
            entry
            for key, (entry, _handle) in self.entries.items()
            if "/" not in key[len(self.prefix) :]
            and PurePosixPath(key).suffix.lower() in METADATA_SUFFIXES
            and not PurePosixPath(key).name.startswith(("~$", "."))
        ]
        named = [e for e in candidates if PurePosixPath(e.name).stem.lower() in METADATA_NAMES]
        chosen = named or candidates
        if len(chosen) != 1:
            listed = "、".join(sorted(PurePosixPath(e.name).name for e in chosen)) or "无"
            raise PackageRefused(
                "文件包顶层应有且只有一个元数据文件（metadata.xlsx、metadata.csv 或 "
                f"metadata.json），找到：{listed}。"
            )
        return chosen[0]

    def read(self, entry, limit, label):
        """The bytes of ``entry``; PackageRefused past ``limit``."""
        if entry.size > limit:
            raise PackageRefused(
                f"{label}“{entry.name}”过大（{filesizeformat(entry.size)}），上限为 "
                f"{filesizeformat(limit)}。"
            )
        with self.open(entry) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise PackageRefused(f"{label}“{entry.name}”超过上限 {filesizeformat(limit)}。")
        return data

    def spool(self, entry, limit, label):
        """``entry`` copied into a temporary file (a django File named after it), at most
        ``limit`` bytes; the caller closes it."""
        if entry.size > limit:
            raise PackageRefused(
                f"{label}“{entry.name}”过大（{filesizeformat(entry.size)}），上限为 "
                f"{filesizeformat(limit)}。"
            )
        spooled = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
        copied = 0
        with self.open(entry) as stream:
            while chunk := stream.read(min(1024 * 1024, limit + 1 - copied)):
                copied += len(chunk)
                if copied > limit:
                    spooled.close()
                    raise PackageRefused(f"{label}“{entry.name}”超过上限。")
                spooled.write(chunk)
        spooled.seek(0)
        wrapped = File(spooled, name=PurePosixPath(entry.name).name)
        wrapped.size = copied
        return wrapped

    def close(self):
        pass


def _common_prefix(entries):
    """ "top/" when every entry sits in one top folder (a zipped folder), else ""."""
    tops = {name.split("/", 1)[0] for name in entries if "/" in name}
    loose = [name for name in entries if "/" not in name]
    if len(tops) == 1 and not loose:
        return f"{tops.pop()}/"
    return ""


class ZipPackage(Package):
    def __init__(self, path, limits):
        try:
            members = check_zip(path, limits, "文件包")
        except OfficeFileRefused as refused:
            raise PackageRefused(str(refused)) from None
        self.archive = zipfile.ZipFile(path)
        entries = {}
        for member in members:
            name = _zip_name(member).replace("\\", "/").lstrip("/")
            # Folders, and the resource forks a Mac adds to a zip it makes.
            if member.is_dir() or name.startswith("__MACOSX/"):
                continue
            if name in entries:
                self.archive.close()
                raise PackageRefused(f"文件包中有两个同名文件“{name}”。")
            entries[name] = (Entry(name, member.file_size), member)
        super().__init__(entries)

    def open(self, entry):
        return self.archive.open(self.entries[entry.name][1])

    def close(self):
        self.archive.close()


class FolderPackage(Package):
    """A folder on the server (the command). Only regular files inside it are read; links that
    lead outside it are refused."""

    def __init__(self, path, limits):
        root = Path(path).resolve()
        entries = {}
        for folder, _dirs, files in os.walk(root):
            for filename in files:
                full = Path(folder) / filename
                if not full.resolve().is_relative_to(root) or not full.is_file():
                    raise PackageRefused(f"“{full}”指向文件夹以外，不予读取。")
                name = full.relative_to(root).as_posix()
                entries[name] = (Entry(name, full.stat().st_size), full)
                if len(entries) > limits.max_members:
                    raise PackageRefused(f"文件夹中的文件超过 {limits.max_members} 个。")
        super().__init__(entries)

    def open(self, entry):
        return open(self.entries[entry.name][1], "rb")


def open_package(path, limits=COMMAND_LIMITS):
    """A Package for the folder or .zip at ``path``; PackageRefused when it cannot be read."""
    path = Path(path)
    if path.is_dir():
        return FolderPackage(path, limits)
    if not path.is_file():
        raise PackageRefused(f"找不到“{path}”。")
    if path.suffix.lower() != ".zip":
        raise PackageRefused("请提供 .zip 文件包或文件夹。")
    return ZipPackage(path, limits)


def attachment_limit():
    return settings.DISCLOSURE_MAX_ATTACHMENT_BYTES

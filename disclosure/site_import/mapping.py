"""What an old site's 发布机构, 栏目, 主题分类 and 体裁 values are in the portal.

A value is found only when it names one thing exactly (an agency's full name or credit code, a
column's full path, a topic's name or path, a genre's name). Anything else is asked: the preview
lists it and staff choose (or the command reads a mapping file). Nothing is guessed.
"""

import json
import re
import unicodedata

from catalog.models import Agency, CatalogNode
from catalog.scoping import agency_scope
from disclosure.documents.models import Genre, Topic
from portal.actors import SYSTEM

KINDS = {"agency": "发布机构", "node": "栏目", "topic": "主题分类", "genre": "体裁分类"}
MODELS = {"agency": Agency, "node": CatalogNode, "topic": Topic, "genre": Genre}
# Breadcrumb separators old sites use between the levels of a column's path.
PATH_SEPARATORS = re.compile(r"\s*(?:>|＞|»|›|/|／|\\|→)\s*")
HOME = {"首页", "网站首页", "当前位置", "您的位置", "当前位置：首页"}
MAPPING_MAX_BYTES = 1024 * 1024


class MappingRefused(Exception):
    """A mapping file cannot be used; the message says why in Chinese."""


def normal(text):
    return unicodedata.normalize("NFKC", text or "").strip()


def path_key(text):
    names = [name for name in PATH_SEPARATORS.split(normal(text)) if name]
    while names and names[0].rstrip(":：") in HOME:
        names.pop(0)
    return tuple(names)


class Resolver:
    """Finds each value's object by exact name; staff choices (``mapping``: {kind: {value:
    pk}}) come first. ``user`` narrows the agencies and columns offered and allowed."""

    def __init__(self, user, mapping=None):
        self.user = user
        self.mapping = {kind: dict((mapping or {}).get(kind, {})) for kind in KINDS}
        self.scope = agency_scope(user)
        self.exact = {kind: self._index(kind) for kind in KINDS}
        self._nodes = None

    def _index(self, kind):
        found = {}

        def add(key, pk):
            # A name two objects share finds neither: it is asked.
            found[key] = None if key in found and found[key] != pk else pk

        if kind == "agency":
            for pk, name, code in Agency.objects.values_list("pk", "name", "credit_code"):
                add(normal(name), pk)
                add(normal(code), pk)
        elif kind == "genre":
            for pk, name in Genre.objects.values_list("pk", "name"):
                add(normal(name), pk)
        elif kind == "node":
            for pk, names in CatalogNode.paths(public=False).items():
                add(tuple(normal(n) for n in names), pk)
        else:
            for pk, paths in _topic_paths().items():
                for names in paths:
                    add(names, pk)
            full = set(found)
            # A second-level topic is also found by its own name (or a former one), when no
            # other topic bears it and no full path reads so (the first-level 其他 is "其他").
            for pk, names in _topic_paths(leaves=True).items():
                for leaf in names:
                    if leaf not in full:
                        add(leaf, pk)
        return found

    def key(self, kind, value):
        return path_key(value) if kind in ("node", "topic") else normal(value)

    def find(self, kind, value):
        """The pk ``value`` stands for, or None when it must be asked."""
        if value in self.mapping[kind]:
            return self.mapping[kind][value]
        return self.exact[kind].get(self.key(kind, value))

    def allowed(self, kind, pk):
        """Whether the user may file documents under this agency or column."""
        if kind == "agency":
            return self.scope.covers(pk)
        if kind == "node":
            if self._nodes is None:
                self._nodes = set(
                    CatalogNode.objects.for_staff(self.user).values_list("pk", flat=True)
                )
            return pk in self._nodes
        return True


def _topic_paths(leaves=False):
    """{pk: [name path, ...]} of every topic, each level by its name or a former one
    (``Topic.aliases``); with ``leaves``, the second-level topics by their own names alone."""
    rows = {
        pk: (parent_id, [normal(name), *(normal(a) for a in aliases.splitlines() if a.strip())])
        for pk, name, parent_id, aliases in Topic.objects.values_list(
            "pk", "name", "parent_id", "aliases"
        )
    }
    paths = {}
    for pk, (parent_id, names) in rows.items():
        if leaves:
            if parent_id is not None:
                paths[pk] = [(name,) for name in names]
        elif parent_id is None:
            paths[pk] = [(name,) for name in names]
        elif parent_id in rows and rows[parent_id][0] is None:
            paths[pk] = [(up, name) for up in rows[parent_id][1] for name in names]
    return paths


def read_mapping_file(path):
    """{kind: {old value: pk}} from a JSON mapping file whose targets are named as staff read
    them: {"主题分类": {"城建": "城乡建设、环境保护 / 城乡建设"}, "栏目": {...}, ...}; a target
    that names nothing, or several things, is refused."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAPPING_MAX_BYTES + 1)
    except OSError as exc:
        raise MappingRefused(f"无法读取对应关系文件（{exc}）。") from None
    if len(raw) > MAPPING_MAX_BYTES:
        raise MappingRefused("对应关系文件超过 1 MB。")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MappingRefused(f"对应关系文件不是有效的 JSON（{exc}）。") from None
    if not isinstance(data, dict):
        raise MappingRefused('对应关系文件应为一个对象，如 {"主题分类": {"旧值": "新值"}}。')
    names = {label: kind for kind, label in KINDS.items()} | {kind: kind for kind in KINDS}
    finder = Resolver(SYSTEM)
    mapping = {}
    for label, pairs in data.items():
        kind = names.get(label)
        if kind is None or not isinstance(pairs, dict):
            raise MappingRefused(
                f"对应关系文件中的“{label}”不是 {'、'.join(KINDS.values())} 之一。"
            )
        for old, target in pairs.items():
            pk = finder.exact[kind].get(finder.key(kind, str(target)))
            if pk is None:
                raise MappingRefused(f"{KINDS[kind]}“{old}”对应的“{target}”在本站找不到或不唯一。")
            mapping.setdefault(kind, {})[old] = pk
    return mapping

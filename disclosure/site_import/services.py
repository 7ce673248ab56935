"""Planning and writing the import of an old site's documents.

``plan_import`` reads the whole package and says what would happen: the new documents, those
already migrated (skipped: a second run never duplicates nor overwrites one), the rows with
problems and the values nobody has mapped yet. ``import_documents`` writes only a plan with no
problem and no unmapped value, in batches: each batch is one transaction (all of its documents,
their index numbers and attachments, or none) with one audit event.
"""

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from catalog.models import Agency
from disclosure.documents import actions as document_actions
from disclosure.documents import services, wording
from disclosure.documents.models import Document
from disclosure.documents.models.counts import add_counts
from disclosure.documents.uploads import check_attachment
from disclosure.site_import.mapping import KINDS, Resolver
from disclosure.site_import.metadata import read_documents, read_rows
from disclosure.site_import.package import (
    ATTACHMENT_FOLDER,
    BODY_FOLDER,
    BODY_MAX_BYTES,
    PackageRefused,
    attachment_limit,
)
from portal import audit
from portal.actors import SYSTEM
from portal.sanitize import clean_html

BATCH_SIZE = 500
MAX_ATTACHMENTS = 50
BODY_TAG = re.compile(r"<body[^>]*>(.*?)(?:</body\s*>|\Z)", re.IGNORECASE | re.DOTALL)
MIGRATED = "从旧网站迁移"


class ImportRefused(Exception):
    """The plan has problems or unmapped values; nothing was written."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__(plan.summary())


class BatchFailed(Exception):
    """A batch could not be written and was rolled back; the batches before it stay, and a
    second run skips them."""

    def __init__(self, result, error):
        self.result = result
        self.error = error
        super().__init__(
            f"第{result.batches + 1}批未保存（{error}）；此前的 {result.created} 份已保存，"
            "改正后再次导入会跳过它们。"
        )


class PlanChanged(Exception):
    """What the import would do is not what the confirmed preview showed."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__("预览之后数据已有变化，请核对新的预览后再确认导入。")


@dataclass
class PlannedDocument:
    old: object  # metadata.OldDocument
    ids: dict  # {kind: pk}
    body: object  # package.Entry
    attachments: list


@dataclass
class ImportPlan:
    rows: int = 0
    new: list = field(default_factory=list)
    existing: list = field(default_factory=list)  # (OldDocument, document pk): skipped
    errors: list = field(default_factory=list)  # (row number, message); row 0: the package
    unmapped: dict = field(default_factory=dict)  # {kind: {value: [row numbers]}}

    @property
    def ready(self):
        return not self.errors and not self.unmapped

    def unmapped_count(self):
        return sum(len(values) for values in self.unmapped.values())

    def summary(self):
        return (
            f"共 {self.rows} 份：新导入 {len(self.new)} 份，已导入过（跳过）{len(self.existing)} 份，"
            f"有问题 {len(self.errors)} 处，未对应的值 {self.unmapped_count()} 个。"
        )


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    batches: int = 0
    held: int = 0  # kept as drafts: a 严重 错敏词 (a person's import, check_words)


def decode_body(raw):
    """The HTML of a body file (UTF-8 or GB18030), the content of its <body> when it is a whole
    page; None when it cannot be decoded."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    match = BODY_TAG.search(text)
    return match.group(1) if match else text


def plan_import(package, user, mapping=None, check_files=True):
    """The ImportPlan of ``package`` for ``user`` (or SYSTEM) with staff's ``mapping``.

    Raises PackageRefused when the package or its metadata cannot be read at all."""
    header, rows = read_rows(package, package.metadata_entry())
    olds = read_documents(header, rows)
    plan = ImportPlan(rows=len(olds))
    existing = _already_migrated([old["index_number"] for old in olds])
    resolver = Resolver(user, mapping)
    seen = {}
    candidates = []
    for old in olds:
        number = old["index_number"]
        if number and number in seen:
            plan.errors.append((old.row, f"索引号 {number} 与第{seen[number]}行重复。"))
            continue
        seen[number] = old.row
        if number in existing:
            plan.existing.append((old, existing[number]))
            continue
        problems = list(old.problems)
        ids = _resolve(old, resolver, plan.unmapped, problems)
        if not problems and ids is not None:
            candidates.append((old, ids))
        plan.errors.extend((old.row, problem) for problem in problems)
    agencies = Agency.objects.in_bulk({ids["agency"] for _old, ids in candidates})
    for old, ids in candidates:
        problems = _check_number(old, agencies[ids["agency"]])
        planned = _find_files(package, old, problems, check_files)
        if problems:
            plan.errors.extend((old.row, problem) for problem in problems)
        else:
            plan.new.append(PlannedDocument(old, ids, *planned))
    plan.errors.sort(key=lambda error: error[0])
    return plan


def _already_migrated(numbers):
    found = {}
    numbers = [number for number in numbers if number]
    for start in range(0, len(numbers), 1000):
        found.update(
            Document.objects.filter(migrated_index_number__in=numbers[start : start + 1000])
            # Names the unique index's condition, so that SQLite reads the index.
            .exclude(migrated_index_number="")
            .values_list("migrated_index_number", "pk")
        )
    return found


def _resolve(old, resolver, unmapped, problems):
    """{kind: pk or None} of the row's values; None when one is unmapped (listed in
    ``unmapped``)."""
    ids, complete = {}, True
    for kind, label in KINDS.items():
        value = old[kind]
        if not value:
            ids[kind] = None
            continue
        pk = resolver.find(kind, value)
        if pk is None:
            unmapped.setdefault(kind, {}).setdefault(value, []).append(old.row)
            complete = False
        elif not resolver.allowed(kind, pk):
            problems.append(f"您无权在{label}“{value}”下导入文件。")
        ids[kind] = pk
    return ids if complete else None


def _check_number(old, agency):
    try:
        services.check_legacy_index_number(old["index_number"], agency)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _find_files(package, old, problems, check_files):
    """(body entry, attachment entries) of a row; what is missing or refused goes to
    ``problems``."""
    body = _entry(package, BODY_FOLDER, old["body"])
    if body is None:
        problems.append(f"找不到正文文件“{old['body']}”（应在 {BODY_FOLDER}/ 文件夹中）。")
    elif check_files:
        problems.extend(_body_problems(package, body))
    if len(old.attachments) > MAX_ATTACHMENTS:
        problems.append(f"附件超过 {MAX_ATTACHMENTS} 个。")
        return body, []
    attachments = []
    for name in old.attachments:
        entry = _entry(package, ATTACHMENT_FOLDER, name)
        if entry is None:
            problems.append(f"找不到附件“{name}”（应在 {ATTACHMENT_FOLDER}/ 文件夹中）。")
            continue
        attachments.append(entry)
        if check_files:
            problems.extend(_attachment_problems(package, entry))
    return body, attachments


def _entry(package, folder, name):
    name = name.replace("\\", "/").lstrip("/")
    return package.find(f"{folder}/{name}") or package.find(name)


def _body_problems(package, entry):
    try:
        html = decode_body(package.read(entry, BODY_MAX_BYTES, "正文文件"))
    except PackageRefused as refused:
        return [str(refused)]
    if html is None:
        return [f"正文文件“{entry.name}”的编码无法识别，请存为 UTF-8 或 GB18030。"]
    if not clean_html(html):
        return [f"正文文件“{entry.name}”没有正文内容。"]
    return []


def _attachment_problems(package, entry):
    try:
        upload = package.spool(entry, attachment_limit(), "附件")
    except PackageRefused as refused:
        return [str(refused)]
    try:
        check_attachment(upload)
    except ValidationError as exc:
        return list(exc.messages)
    finally:
        upload.close()
    return []


def plan_digest(plan):
    """A digest of what ``plan`` would write, to tell whether it still holds when applied."""
    entries = [
        [p.old.row, p.old["index_number"], sorted(p.ids.items()), p.body.name] for p in plan.new
    ]
    payload = [entries, [old.row for old, _pk in plan.existing], plan.errors, plan.unmapped]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def import_documents(
    package,
    user=SYSTEM,
    *,
    mapping=None,
    publish=True,
    source=None,
    expected=None,
    batch_size=BATCH_SIZE,
    progress=None,
):
    """Import the package's new documents, published with their old dates (``publish``) or as
    drafts, keeping their old index numbers; documents already migrated are skipped.

    Raises ImportRefused (nothing written) while the plan has problems or unmapped values, and
    PlanChanged when ``expected`` (a confirmed preview's digest) no longer holds. Each batch of
    ``batch_size`` documents is one transaction with one audit event; ``progress(result)`` is
    called after each. A batch that fails is rolled back and raises BatchFailed."""
    plan = plan_import(package, user, mapping)
    if expected is not None and plan_digest(plan) != expected:
        raise PlanChanged(plan)
    if not plan.ready:
        raise ImportRefused(plan)
    result = ImportResult(skipped=len(plan.existing))
    source = source or {}
    pending = iter(plan.new)
    while batch := list(islice(pending, batch_size)):
        skipped = result.skipped if not result.batches else 0
        try:
            result.held += _import_batch(
                package, batch, user, publish, source, result.batches + 1, skipped
            )
        except (ValidationError, services.WorkflowError, PackageRefused, DatabaseError) as exc:
            raise BatchFailed(result, _message(exc)) from exc
        result.created += len(batch)
        result.batches += 1
        if progress:
            progress(result)
    if not plan.new:
        _record(user, source, publish, 0, [], skipped=result.skipped)
    return result


def _message(error):
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)


@transaction.atomic
def _import_batch(package, batch, user, publish, source, number, skipped):
    """One transaction: the batch's documents, their numbers and attachments, the public counts
    of their columns and one audit event naming every index number. Returns the number held
    as drafts for a 严重 错敏词."""
    agencies = Agency.objects.in_bulk({planned.ids["agency"] for planned in batch})
    held = []
    for planned in batch:
        kept = publish and _held_for_words(package, planned, user)
        _create(
            package, planned, agencies[planned.ids["agency"]], user, source, publish and not kept
        )
        if kept:
            held.append(planned)
    if publish:
        add_counts(Counter(planned.ids["node"] for planned in batch if planned not in held))
    numbers = [planned.old["index_number"] for planned in batch]
    _record(user, source, publish, number, numbers, skipped, [p.old["index_number"] for p in held])
    return len(held)


def _held_for_words(package, planned, user):
    """Whether a person's import keeps ``planned`` a draft: it holds a 严重 错敏词, which a
    publication by a person does not pass without a reviewer's reason (``check_words``). The
    system (``import_site``) carries an old site over as it was."""
    if user is SYSTEM:
        return False
    old = planned.old
    document = Document(
        title=old["title"],
        doc_number=old["doc_number"],
        keywords=old["keywords"],
        summary=old["summary"],
        body=decode_body(package.read(planned.body, BODY_MAX_BYTES, "正文文件")) or "",
    )
    names = [entry.name.rsplit("/", 1)[-1] for entry in planned.attachments]
    return any(m.severe for m in wording.document_matches(document, names))


def _create(package, planned, agency, user, source, publish):
    """Save one document with its old number and dates, published (it was public on the old
    site: the batch's audit event records it) or as a draft."""
    old, ids = planned.old, planned.ids
    body = decode_body(package.read(planned.body, BODY_MAX_BYTES, "正文文件"))
    # Attachments are added to a draft (a published document's files change only by revision).
    published_now = publish and not planned.attachments
    # The old site's date is kept, and says so: the server records when it went public here.
    recorded = services.server_now() if published_now else None
    document = Document(
        title=old["title"],
        summary=old["summary"],
        body=body or "",
        agency=agency,
        node_id=ids["node"],
        topic_id=ids["topic"],
        genre_id=ids["genre"],
        doc_number=old["doc_number"],
        written_on=old.written_on,
        published_at=old.published_at,
        published_recorded_at=recorded,
        backdate_reason=backdate_reason(source),
        validity=old.validity,
        keywords=old["keywords"],
        status=Document.Status.PUBLISHED if published_now else Document.Status.DRAFT,
        migrated_from=(source.get("file") or "")[:200],
        migrated_index_number=old["index_number"],
    )
    document._change_reason = MIGRATED
    document._history_user = None if user is SYSTEM else user
    # Saves the document with the number as the old site wrote it.
    services.set_legacy_index_number(document, old["index_number"])
    for order, entry in enumerate(planned.attachments):
        upload = package.spool(entry, attachment_limit(), "附件")
        try:
            services.add_attachment(document, upload, sort_order=order, user=SYSTEM)
        finally:
            upload.close()
    if publish and not published_now:
        document.status = Document.Status.PUBLISHED
        document.published_recorded_at = services.server_now()
        document.save()
    return document


def backdate_reason(source):
    """Why a migrated document keeps a 发布日期 before its publication here (the reason the
    compliance report lists under 补录的历史发布日期)."""
    package = (source.get("file") or "").strip() or "旧网站文件包"
    return f"从旧网站迁移（{package}），发布日期为原网站的发布日期。"


def _record(user, source, publish, batch, numbers, skipped=0, held=()):
    audit.record(
        document_actions.IMPORT_DOCUMENTS,
        actor=user,
        details={
            **source,
            "backdate_reason": backdate_reason(source),
            "batch": batch,
            "status": "published" if publish else "draft",
            "created": len(numbers),
            "index_numbers": numbers,
            "skipped": skipped,
            **({"held_for_words": list(held)} if held else {}),
        },
    )

"""Old sites' export packages for the site-import tests, in the shapes disclosure pages and
their exports take: the index-metadata box's labels (索引号, 发布机构 or 发文机关, 成文日期 or
发文日期, 发布日期 or 公开日期, 文号 or 发文字号, 有效性 or 时效性), dates as 2022-07-15,
2020-10-10 19:48:26, 2011.05.30 or 2021年3月5日, breadcrumbs as column paths. The texts are
written for these tests."""

import csv
import io
import json
import zipfile

from openpyxl import Workbook

from tests.factories import credit_code_for

SEED_CODE = "115002240093343308"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STANDARD_HEADER = [
    "标题",
    "索引号",
    "发布机构",
    "栏目",
    "主题分类",
    "体裁分类",
    "文号",
    "成文日期",
    "发布日期",
    "有效性",
    "关键词",
    "内容概述",
    "正文文件",
    "附件",
]
# Another site's export: the labels of a page that says 发文机关, 发文字号, 公开日期, 时效性.
VARIANT_HEADER = [
    "信息名称",
    "索引号",
    "发文机关",
    "公开目录",
    "主题分类",
    "文种",
    "发文字号",
    "发文日期",
    "公开日期",
    "时效性",
    "主题词",
    "摘要",
    "正文",
    "附件",
]
REPLIES = "首页 > 政务公开 > 法定主动公开内容 > 其他法定主动公开内容 > 人大代表建议办理"


def index_number(serial, year=2022, code=SEED_CODE):
    return f"{code}/{year}-{serial:05d}"


def row(serial, **changes):
    """A metadata row (as a dict of the standard header) for a reply letter of the seed office."""
    values = {
        "标题": f"关于区第十八届人民代表大会第一次会议第{serial}号建议的复函",
        "索引号": index_number(serial),
        "发布机构": "铜梁区人民政府",
        "栏目": REPLIES,
        "主题分类": "其他",
        "体裁分类": "人大建议办理",
        "文号": "",
        "成文日期": "2022-06-06",
        "发布日期": "2022-07-15",
        "有效性": "有效",
        "关键词": "建议 复函",
        "内容概述": "答复代表关于道路养护的建议。",
        "正文文件": f"reply-{serial}.html",
        "附件": "",
    }
    values.update(changes)
    return values


def body(serial):
    return (
        f"<p>范川代表：</p><p>您提出的第{serial}号建议收悉，现答复如下：</p>"
        "<p>一、已安排道路养护资金。</p><p>联系人：邱源旭</p>"
    )


def metadata_bytes(rows, kind="xlsx", header=STANDARD_HEADER):
    """The metadata file of ``rows`` (dicts keyed by the standard header) under ``header``."""
    table = [[r.get(STANDARD_HEADER[i], "") for i in range(len(header))] for r in rows]
    if kind == "json":
        items = [dict(zip(header, values, strict=True)) for values in table]
        return json.dumps({"documents": items}, ensure_ascii=False).encode()
    if kind == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([header, *table])
        return text.getvalue().encode("gb18030")
    book = Workbook()
    for values in [header, *table]:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def package(
    path, rows, *, kind="xlsx", header=STANDARD_HEADER, bodies=None, attachments=None, top=""
):
    """Write a .zip package: metadata.<kind>, bodies/ (one per row unless ``bodies`` given) and
    attachments/; ``top`` puts it all in one folder, as zipping a folder does."""
    if bodies is None:
        bodies = {r["正文文件"]: body(r["索引号"][-5:]) for r in rows}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{top}metadata.{kind}", metadata_bytes(rows, kind, header))
        for name, content in bodies.items():
            archive.writestr(f"{top}bodies/{name}", content)
        for name, content in (attachments or {}).items():
            archive.writestr(f"{top}attachments/{name}", content)
    return path


def folder(path, rows, *, kind="csv", attachments=None):
    """The same package as a folder on the server."""
    (path / "bodies").mkdir(parents=True)
    (path / "attachments").mkdir()
    (path / f"metadata.{kind}").write_bytes(metadata_bytes(rows, kind))
    for r in rows:
        (path / "bodies" / r["正文文件"]).write_text(body(r["索引号"][-5:]), encoding="utf-8")
    for name, content in (attachments or {}).items():
        (path / "attachments" / name).write_bytes(content)
    return path


__all__ = ["credit_code_for"]

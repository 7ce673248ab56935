from django.db import migrations

# 主题分类: the State Council's list for government information (two levels).
TOPICS = [
    ("综合政务", ["应急管理", "电子政务", "政务公开", "政务督查", "信访", "其他"]),
    ("国民经济管理、国有资产监管", ["宏观经济", "经济体制改革", "国有资产监管", "区域经济", "其他"]),
    ("财政、金融、审计", ["财政", "金融", "审计", "其他"]),
    ("国土资源、能源", ["土地", "矿产", "能源", "其他"]),
    ("农业、林业、水利", ["农业、畜牧业、渔业", "林业", "水利", "其他"]),
    ("工业、交通", ["工业", "交通", "邮政", "信息产业", "其他"]),
    ("商贸、海关、旅游", ["国内贸易", "对外经贸合作", "海关", "旅游", "其他"]),
    ("市场监管、安全生产监管", ["市场监管", "安全生产监管", "其他"]),
    ("城乡建设、环境保护", ["城乡建设", "环境监测、保护与治理", "节能与资源综合利用", "其他"]),
    ("科技、教育", ["科技", "教育", "知识产权", "其他"]),
    ("文化、广电、新闻出版", ["文化", "广播电视", "新闻出版", "其他"]),
    ("卫生、体育", ["卫生", "体育", "其他"]),
    ("人口与计划生育、妇女儿童工作", ["人口与计划生育", "妇女儿童", "其他"]),
    ("劳动、人事、监察", ["劳动就业", "人事工作", "监察", "其他"]),
    ("公安、安全、司法", ["公安", "安全", "司法", "其他"]),
    ("民政、扶贫、救灾", ["社会福利", "救灾", "扶贫", "其他"]),
    ("民族、宗教", ["民族事务", "宗教事务", "其他"]),
    ("对外事务", ["外事", "其他"]),
    ("港澳台侨工作", ["港澳台", "侨务", "其他"]),
    ("国防", ["其他"]),
    ("其他", []),
]

# 体裁分类: the 15 statutory 公文 kinds, then genres sites use. True: a 文号 is expected.
GENRES = [
    ("决议", True), ("决定", True), ("命令", True), ("公报", True), ("公告", True),
    ("通告", True), ("意见", True), ("通知", True), ("通报", True), ("报告", True),
    ("请示", True), ("批复", True), ("议案", True), ("函", True), ("纪要", True),
    ("规章", True), ("行政规范性文件", True), ("政策解读", False), ("人大建议办理", False),
    ("政协提案办理", False), ("规划计划", False), ("统计信息", False), ("其他", False),
]  # fmt: skip


def load(apps, schema_editor):
    Topic = apps.get_model("disclosure", "Topic")
    Genre = apps.get_model("disclosure", "Genre")
    for order, (name, children) in enumerate(TOPICS, start=1):
        parent, _ = Topic.objects.get_or_create(parent=None, name=name, defaults={"sort_order": order})
        for child_order, child in enumerate(children, start=1):
            Topic.objects.get_or_create(parent=parent, name=child, defaults={"sort_order": child_order})
    for order, (name, needs_number) in enumerate(GENRES, start=1):
        Genre.objects.get_or_create(
            name=name, defaults={"requires_doc_number": needs_number, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

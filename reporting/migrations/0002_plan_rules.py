"""The plan's reporting limits (三(二)), as data an administrator can edit (each change is kept).

Minutes: first report 1 hour (Ⅰ–Ⅲ; the plan names none for Ⅳ), upward report 30 minutes after
the bureau receives it (Ⅰ–Ⅲ), progress reports daily (Ⅰ) / every 3 days (Ⅱ) / weekly (Ⅲ, Ⅳ),
final written report within 4 days (Ⅰ–Ⅲ) or 8 days (Ⅳ) of the end. The after-action report is
due "within the prescribed time" (五(二)): no limit until an administrator sets one.
"""

from django.db import migrations

DAY = 24 * 60
RULES = [
    ("first_report", {1: 60, 2: 60, 3: 60, 4: None}, "三(二)2.1) 事发地市场监督管理所应立即核实,并在1小时内向当地政府和局报告"),
    ("upward_report", {1: 30, 2: 30, 3: 30, 4: None}, "三(二)2.1) 局须在30分钟内向政府和市市场监督管理局报告"),
    ("progress_report", {1: DAY, 2: 3 * DAY, 3: 7 * DAY, 4: 7 * DAY}, "三(二)2.2) Ⅰ级一日一报,Ⅱ级三日一报,Ⅲ级、Ⅳ级一周一报"),
    ("final_report", {1: 4 * DAY, 2: 4 * DAY, 3: 4 * DAY, 4: 8 * DAY}, "三(二)2.3) Ⅰ、Ⅱ、Ⅲ级四日内,Ⅳ级八日内形成书面报告"),
    ("after_action_report", {1: None, 2: None, 3: None, 4: None}, "五(二) 在规定时间内报应急领导小组或专项应急指挥部备案"),
]


def seed(apps, schema_editor):
    ReportingRule = apps.get_model("reporting", "ReportingRule")
    for kind, limits, basis in RULES:
        for level, minutes in limits.items():
            ReportingRule.objects.get_or_create(kind=kind, level=level, defaults={"limit_minutes": minutes, "basis": basis})


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

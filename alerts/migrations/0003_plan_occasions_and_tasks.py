"""The plan's occasions and deployment tasks as data (三(三)4 2) 节日市场应急预警; issue 14).

Holidays: the plan names 元旦, 春节, “五一”, “十一”; the other statutory holidays the calendar knows
are there, switched off, for the office to switch on. Tasks, owed by sections by their number in
the plan (二(二)1: 1 办公室, 2 新闻宣传, 19 12315投诉中心), due N days before the first day."""

from django.db import migrations

HOLIDAYS = [
    # key, name, English name, opens a deployment
    ("new_year", "元旦", "New Year's Day", True),
    ("spring_festival", "春节", "Spring Festival", True),
    ("labour_day", "劳动节(“五一”)", "May Day", True),
    ("national_day", "国庆节(“十一”)", "National Day", True),
    ("tomb_sweeping", "清明节", "Tomb-Sweeping Day", False),
    ("dragon_boat", "端午节", "Dragon Boat Festival", False),
    ("mid_autumn", "中秋节", "Mid-Autumn Festival", False),
]

TASKS = [
    # number, title, owner section number, due days before the first day
    (1, "市场安全检查方案制定并部署", 1, 5),
    (2, "节日值班表编排并公布", 1, 3),
    (3, "消费预警起草并经领导审批", 19, 2),
    (4, "12315投诉高峰应对准备就绪", 19, 1),
]


def seed(apps, schema_editor):
    HolidayTrigger = apps.get_model("alerts", "HolidayTrigger")
    TaskTemplate = apps.get_model("alerts", "TaskTemplate")
    for key, name, name_en, active in HOLIDAYS:
        HolidayTrigger.objects.get_or_create(key=key, defaults={"name": name, "name_en": name_en, "active": active})
    for number, title, owner_number, days_before in TASKS:
        TaskTemplate.objects.get_or_create(bureau=None, number=number, defaults={
            "title": title, "owner_number": owner_number, "days_before": days_before})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_deployments_and_releases")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

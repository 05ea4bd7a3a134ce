"""先电话报告，后补报文字: a report phoned to a recipient owes the written report (issue 11,
docs/deadlines.md rule 15). The plan names no limit for it; the default, 60 minutes after the call,
is editable in the admin like every rule.

`seed` brings the rules to this state and is also what tests call after a flush.
"""

from django.db import migrations

BASIS = "三(二)2-1 向政府和市市场监督管理局报告:先电话报告,后补报文字(补报时限默认电话报告后60分钟,可调整)"


def seed(apps, schema_editor):
    from importlib import import_module

    import_module("reporting.migrations.0012_requested_report_rule").seed(apps, schema_editor)
    ReportingRule = apps.get_model("reporting", "ReportingRule")
    for level in (1, 2, 3, 4):
        ReportingRule.objects.get_or_create(kind="written_report", level=level,
                                            defaults={"limit_minutes": 60, "basis": BASIS})


def unseed(apps, schema_editor):
    ReportingRule = apps.get_model("reporting", "ReportingRule")
    ReportingRule.objects.filter(kind="written_report", changes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0013_report_delivery")]
    operations = [migrations.RunPython(seed, unseed)]

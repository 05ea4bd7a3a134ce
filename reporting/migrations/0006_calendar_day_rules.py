"""Final written reports count calendar days (三(二)2.3 "四日内/八日内"), the after-action report gets
the editable default of 30 days (五(二) "在规定时间内"), and measures are deadlines too (三(三)).

`seed` brings the rules to this state and is also what tests call after a flush.
"""

from django.db import migrations

CALENDAR_DAYS = {
    "final_report": ({1: 4, 2: 4, 3: 4, 4: 8}, "三(二)2.3) 应急状态解除后,Ⅰ级、Ⅱ级、Ⅲ级响应处置情况于四日内形成书面报告,Ⅳ级响应应于八日内上报"),
    "after_action_report": ({1: 30, 2: 30, 3: 30, 4: 30}, "五(二) 在规定时间内报应急领导小组或专项应急指挥部备案(规定时间默认30日,可调整)"),
}


def seed(apps, schema_editor):
    from importlib import import_module

    import_module("reporting.migrations.0002_plan_rules").seed(apps, schema_editor)
    ReportingRule = apps.get_model("reporting", "ReportingRule")
    for kind, (days, basis) in CALENDAR_DAYS.items():
        for level, limit in days.items():
            rule = ReportingRule.objects.get(kind=kind, level=level)
            if rule.limit_days is None and (kind == "final_report" or rule.limit_minutes is None):
                rule.limit_minutes, rule.limit_days, rule.basis = None, limit, basis
                rule.save()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0005_deadline_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The station's answer to a return (退回补报) is a deadline (issue 12 item 6; docs/deadlines.md rule 15).

The plan names no limit for answering a return; the closest clause is the station's own duty to
verify and report (三(二)2.1 事发地市场监督管理所应立即核实,并在1小时内向当地政府和局报告; and 二(三)2
信息汇总与核实): 60 minutes at Ⅰ–Ⅲ. At Ⅳ the plan names no limit at all; the bureau's default is a
day (1,440 minutes), editable like every rule. `seed` brings the rules to this state and is what
tests call after a flush.
"""

from django.db import migrations, models

LIMITS = {1: 60, 2: 60, 3: 60, 4: 24 * 60}
BASIS = {
    1: "三(二)2.1) 事发地市场监督管理所应立即核实,并在1小时内向当地政府和局报告(退回补报按此最接近条款)",
    4: "预案未规定Ⅳ级时限;本局默认1日(可调整)",
}


def seed(apps, schema_editor):
    from importlib import import_module

    import_module("reporting.migrations.0006_calendar_day_rules").seed(apps, schema_editor)
    ReportingRule = apps.get_model("reporting", "ReportingRule")
    for level, minutes in LIMITS.items():
        ReportingRule.objects.get_or_create(kind="return_answer", level=level, defaults={
            "limit_minutes": minutes, "basis": BASIS.get(level, BASIS[1])})


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0008_obligation_scale_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='obligation',
            name='kind',
            field=models.CharField(choices=[('first_report', 'first report (首报)'), ('upward_report', 'upward report (上报)'), ('progress_report', 'progress report (续报)'), ('final_report', 'final report (终报)'), ('after_action_report', 'after-action report'), ('measure', 'measure (response task)'), ('return_answer', 'answer to a return (退回补报)')], max_length=30, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='report',
            name='kind',
            field=models.CharField(choices=[('first_report', 'first report (首报)'), ('upward_report', 'upward report (上报)'), ('progress_report', 'progress report (续报)'), ('final_report', 'final report (终报)'), ('after_action_report', 'after-action report'), ('measure', 'measure (response task)'), ('return_answer', 'answer to a return (退回补报)')], max_length=30, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='reportingrule',
            name='kind',
            field=models.CharField(choices=[('first_report', 'first report (首报)'), ('upward_report', 'upward report (上报)'), ('progress_report', 'progress report (续报)'), ('final_report', 'final report (终报)'), ('after_action_report', 'after-action report'), ('measure', 'measure (response task)'), ('return_answer', 'answer to a return (退回补报)')], max_length=30, verbose_name='kind'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]

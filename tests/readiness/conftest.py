"""Readiness fixtures: the cast's bureau with its overall plan in force, a held drill, a PDF to upload."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from readiness import services
from readiness.models import Drill, DrillPlan, Plan
from roles.models import Unit
from tests.incidents.conftest import AFTER_ACTION, categories, file_incident, to_state  # noqa: F401  (shared fixtures)


def pdf_upload(name="预案.pdf") -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def units(bureau):
    return {code: Unit.objects.get(code=code) for code in ("office", "food_coordination", "chengguan", "baisha",
                                                          "leading_group")} | {"bureau": bureau}


@pytest.fixture
def overall(cast, units):
    """The bureau's overall plan, owned by the office section, version 1 approved today by the director."""
    plan = services.plan_create(actor=cast["office"], bureau=units["bureau"], title="市场监管突发事件应急管理预案",
                                kind=Plan.Kind.OVERALL, owner_section=units["office"])
    version = services.plan_version_draft(actor=cast["office"], plan=plan, upload=pdf_upload(), changes="首次发布。",
                                          reason="制定预案。")
    services.plan_version_approve(actor=cast["director"], version=version, approved_on=timezone.localdate())
    return plan


@pytest.fixture
def held_drill(cast, units):
    """A tabletop drill of this year's plan, held yesterday (or today on 1 January), with its evaluation."""
    today = timezone.localdate()
    day = today - datetime.timedelta(days=1) if today.timetuple().tm_yday > 1 else today
    drill_plan = services.drill_plan_create(actor=cast["office"], bureau=units["bureau"], year=day.year)
    drill = services.drill_create(actor=cast["office"], drill_plan=drill_plan, title="学校食堂食物中毒桌面推演",
                                  scenario="某小学食堂午餐后多名学生出现呕吐。", type=Drill.Type.TABLETOP, date=day,
                                  units=[units["chengguan"], units["food_coordination"]],
                                  participants=[cast["station1"], cast["food"]])
    return services.drill_record(actor=cast["office"], drill=drill, evaluation="响应及时,信息报送环节偏慢。")


__all__ = ["AFTER_ACTION", "DrillPlan", "categories", "file_incident", "to_state"]

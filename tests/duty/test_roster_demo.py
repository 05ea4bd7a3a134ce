"""seed_demo plans a week of duty around today, so `make run` shows someone on duty (issue 14)."""

from io import StringIO

import pytest
from django.core.management import call_command

from duty.models import Shift
from duty.roster_selectors import on_duty_now
from reporting.models import Kind, Obligation
from roles.models import Unit

pytestmark = pytest.mark.django_db


def test_seed_demo_puts_someone_on_duty_and_one_gap_ahead(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent: the week is planned once
    bureau = Unit.objects.get(code="bureau")
    assert Shift.objects.filter(bureau=bureau).count() == 8
    shift = on_duty_now(bureau)
    assert shift is not None and shift.leader is not None and shift.staff.exists()
    [gap] = Obligation.objects.filter(kind=Kind.ROSTER_GAP)
    assert gap.owner_unit.code == "office" and gap.status == Obligation.Status.PENDING and not gap.shift.staff.exists()

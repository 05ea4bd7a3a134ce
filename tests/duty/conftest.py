"""The roster's fixtures: a fixed clock (2026-12-01 09:00 Beijing time) and a helper that plans shifts
through the service, as the office."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from roles.models import Unit

BEIJING = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING)


def at(day: int, hour: int = 8, minute: int = 0, month: int = 12) -> datetime.datetime:
    """A Beijing time in December 2026 (aware)."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def clock():
    """Time stands at T0 until moved: clock.move_to(at(2, 8))."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def county(cast):
    return Unit.objects.get(code="bureau")


@pytest.fixture
def plan(cast, county, clock):
    """plan(start, end, leader="director", staff=("office",), **more) → a Shift planned by the office."""
    from duty import roster

    def _plan(start, end, leader="director", staff=("office",), **more):
        return roster.shift_create(actor=cast["office"], bureau=county, starts_at=start, ends_at=end,
                                   leader=cast[leader] if leader else None, staff=[cast[s] for s in staff], **more)

    return _plan

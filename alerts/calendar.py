"""China's statutory holidays from the `holidays` library, which follows the State Council's yearly
notice (the moving lunar dates, the days off and the adjusted working days): which occasions fall
when, for the early-warning deployments (plan 三(三)4 2) 节日市场应急预警)."""

from dataclasses import dataclass
from datetime import date

import holidays

# The library's (English) names of each holiday a HolidayTrigger's key stands for. Spring Festival
# starts on New Year's Eve when the State Council gives it off (2026, 2027), on the first day otherwise.
HOLIDAY_NAMES = {
    "new_year": ("New Year's Day",),
    "spring_festival": ("Chinese New Year's Eve", "Chinese New Year (Spring Festival)"),
    "tomb_sweeping": ("Tomb-Sweeping Day",),
    "labour_day": ("Labor Day",),
    "dragon_boat": ("Dragon Boat Festival",),
    "mid_autumn": ("Mid-Autumn Festival",),
    "national_day": ("National Day",),
}


@dataclass(frozen=True)
class HolidayDate:
    key: str
    first_day: date  # a local (Asia/Shanghai) calendar date


def first_days(keys, years) -> list[HolidayDate]:
    """The first day of each holiday named by `keys` (HOLIDAY_NAMES) in each of `years`, by the
    library's calendar of the People's Republic of China; soonest first. An unknown key names nothing."""
    calendar = holidays.country_holidays("CN", years=sorted(set(years)), language="en_US")
    found: dict[tuple[str, int], date] = {}
    for day, names in sorted(calendar.items()):
        for name in str(names).split("; "):
            for key in keys:
                if any(name.startswith(known) for known in HOLIDAY_NAMES.get(key, ())):
                    found.setdefault((key, day.year), day)
    return sorted((HolidayDate(key, day) for (key, _year), day in found.items()), key=lambda h: (h.first_day, h.key))

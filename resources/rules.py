"""The numbers of the inventory as data, not literals in code: how often each category of item is
checked by default (the item keeps its own interval, editable), and how soon an agreement's end
is shown as near. A deployment overrides them in settings (RESOURCE_CHECK_INTERVAL_DAYS, a dict
category → days; RESOURCE_AGREEMENT_WARNING_DAYS)."""

from django.conf import settings

# Why these defaults: vehicles and communications equipment are tried monthly so that they start
# on the day (三(三)1.6 "执法车辆、通讯、检测设备处于备用状态"); testing kits and protective gear are
# checked each quarter for their expiry dates; stocks of supplies twice a year.
DEFAULT_CHECK_INTERVAL_DAYS = {
    "vehicle": 30,
    "communications": 30,
    "testing": 90,
    "protective": 90,
    "law_enforcement": 90,
    "supplies": 180,
    "other": 180,
}
DEFAULT_AGREEMENT_WARNING_DAYS = 60


def default_check_interval(category: str) -> int:
    """Days between two checks of an item of `category` (a Resource.Category value) unless the item
    sets its own: settings.RESOURCE_CHECK_INTERVAL_DAYS over DEFAULT_CHECK_INTERVAL_DAYS."""
    table = {**DEFAULT_CHECK_INTERVAL_DAYS, **getattr(settings, "RESOURCE_CHECK_INTERVAL_DAYS", {})}
    return int(table.get(category, table["other"]))


def agreement_warning_days() -> int:
    """An agreement ending within this many days is shown as expiring soon."""
    return int(getattr(settings, "RESOURCE_AGREEMENT_WARNING_DAYS", DEFAULT_AGREEMENT_WARNING_DAYS))

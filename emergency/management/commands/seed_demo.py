"""Demo data: a city bureau with two county bureaus under it — the plan's county with one account per
role (docs: ../shared/docs/api.md), a second county with its own accounts — and the city's office
(`city_office`), so a county's report to the city can be followed at once (issue 11).

The people are invented; the plan names real officials, whose names are not used here.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from roles.models import Membership, Unit, User
from roles.services import membership_remove, membership_set, role_groups_ensure
from roles.permissions import Role
from incidents.setup import categories_setup_from_plan
from roles.setup import bureau_setup_from_plan, city_bureau_setup

DEFAULT_PASSWORD = "demo1234"

# username, family name, given name, position, [(unit code, role in unit, title)]
DEMO_PEOPLE = [
    ("director", "陈", "明远", "局长", [("leading_group", Membership.Role.LEADER, "组长")]),
    ("deputy", "周", "立新", "分管副局长", [("leading_group", Membership.Role.COMMANDER, "成员")]),
    (
        "office", "李", "静", "科员",
        [("office", Membership.Role.STAFF, "科员"), ("leading_group_office", Membership.Role.STAFF, "工作人员")],
    ),
    ("food", "王", "海涛", "科员", [("food_coordination", Membership.Role.STAFF, "科员")]),
    ("station1", "赵", "晓东", "所员", [("chengguan", Membership.Role.STAFF, "所员")]),
    ("station2", "孙", "丽华", "所员", [("baisha", Membership.Role.STAFF, "所员")]),
    # The city bureau's office, which signs for the counties' reports and may ask them for more (催报).
    ("city_office", "吴", "建华", "科员", [("zhengzhou_office", Membership.Role.STAFF, "科员"),
                                       ("zhengzhou_leading_group_office", Membership.Role.STAFF, "工作人员")]),
    # The second county (新郑市), with its own leading group, office and station.
    ("xz_director", "郑", "国强", "局长", [("xinzheng_leading_group", Membership.Role.LEADER, "组长")]),
    ("xz_deputy", "冯", "志刚", "分管副局长", [("xinzheng_leading_group", Membership.Role.COMMANDER, "成员")]),
    ("xz_office", "何", "雪梅", "科员", [("xinzheng_office", Membership.Role.STAFF, "科员"),
                                     ("xinzheng_leading_group_office", Membership.Role.STAFF, "工作人员")]),
    ("xz_station", "许", "文博", "所员", [("xinzheng_chengguan", Membership.Role.STAFF, "所员")]),
]
CITY = {"name": "郑州市市场监督管理局", "code": "zhengzhou", "name_en": "Zhengzhou Municipal Market Supervision Bureau"}
SECOND_COUNTY = {"name": "新郑市市场监督管理局", "code": "xinzheng", "name_en": "Xinzheng Market Supervision Bureau"}


class Command(BaseCommand):
    help = "Build the bureau from the plan and the demo accounts (idempotent). Refuses with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of every demo account")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    @transaction.atomic
    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Demo accounts are refused; use --force to insist.")
        city = city_bureau_setup(**CITY)
        bureau_setup_from_plan(parent=city)
        bureau_setup_from_plan(parent=city, **SECOND_COUNTY)
        categories_setup_from_plan()
        groups = role_groups_ensure()
        for username, family, given, position, memberships in DEMO_PEOPLE:
            user = self._user(username, password, last_name=family, first_name=given, position=position)
            wanted = {code for code, _role, _title in memberships}
            for membership in user.memberships.exclude(unit__code__in=wanted).select_related("unit"):
                membership_remove(user=user, unit=membership.unit)
            for code, role, title in memberships:
                membership_set(user=user, unit=Unit.objects.get(code=code), role=role, title=title)
        admin = self._user("admin", password, last_name="管理员", first_name="", position="系统管理员",
                           is_staff=True, is_superuser=True)
        admin.groups.add(groups[Role.ADMINISTRATOR])
        self._duty_roster()

        from resources.demo import seed_resources

        seed_resources()  # a handful of emergency resources at two reserve points (issue 15)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every account's password: {password}"))
        for username, *_rest in DEMO_PEOPLE + [("admin",)]:
            user = User.objects.get(username=username)
            bureau = next((m.unit.bureau() for m in user.memberships.select_related("unit")), None)
            self.stdout.write(f"  {username:<11} {user.display_name} · {user.position}"
                              + (f" · {bureau.name}" if bureau else ""))

    def _duty_roster(self):
        """A week of 24-hour shifts (08:00 to 08:00 Beijing time) of the plan's county around today, so
        someone is on duty in the top bar (issue 14), and one shift after it with no staff on duty yet: a
        roster gap the office owes (docs/deadlines.md rule 18). Days that already have a shift are left alone."""
        import datetime

        from django.utils import timezone

        from duty.models import Shift
        from duty.roster import shift_create

        bureau = Unit.objects.get(code="bureau")
        people = {u.username: u for u in User.objects.filter(username__in=["director", "deputy", "office", "food"])}
        today = timezone.localdate()
        for offset in range(-3, 5):
            start = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=offset), datetime.time(8)))
            end = start + datetime.timedelta(days=1)
            if Shift.objects.planned().filter(bureau=bureau, starts_at__lt=end, ends_at__gt=start).exists():
                continue
            leader = people["director" if offset % 2 == 0 else "deputy"]
            if offset == 4:  # the gap: planned through the service, which opens the office's deadline
                shift_create(actor=people["office"], bureau=bureau, starts_at=start, ends_at=end, leader=leader,
                             note="值班员待定")
                continue
            # Past shifts too (a service refuses to plan the past): written directly, fully staffed, no deadline owed.
            shift = Shift.objects.create(bureau=bureau, starts_at=start, ends_at=end, leader=leader,
                                         created_by=people["office"], is_holiday=start.weekday() >= 5)
            shift.staff.set([people["office"], people["food"]] if offset % 2 == 0 else [people["food"]])

    def _user(self, username, password, **fields):
        user, _created = User.objects.update_or_create(username=username, defaults=fields)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

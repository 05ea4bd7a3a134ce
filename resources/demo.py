"""Demo inventory for seed_demo: two reserve points of the first county (中牟) and a handful of items,
entered by the demo office through the services (so their checks are on the deadlines). Idempotent:
what exists by name is left as it is."""

from datetime import timedelta

from django.utils import timezone

from resources import services
from resources.models import ReservePoint, Resource
from roles.models import Unit, User

POINTS = [
    {"name": "局机关应急物资库", "address": "中牟县青年路(局机关院内)", "latitude": "34.718900", "longitude": "113.976200",
     "keeper": "王保管", "phone": "0371-62100001"},
    {"name": "城关所储备点", "address": "城关镇建设路(城关市场监督管理所)", "latitude": "34.721500", "longitude": "113.969800",
     "keeper": "李保管", "phone": "13800000002"},
]
# (point, owner unit code, fields); last checked some days ago, so that the checks fall due at different times.
ITEMS = [
    (0, "office", dict(category="vehicle", name="食品快检车", spec="依维柯 快检车(车载快检实验室)", quantity=1, unit_of_measure="辆"), 20),
    (0, "office", dict(category="vehicle", name="执法车", spec="五座越野", quantity=2, unit_of_measure="辆"), 5),
    (0, "office", dict(category="communications", name="卫星电话", spec="天通一号", quantity=2, unit_of_measure="台"), 25),
    (0, "office", dict(category="communications", name="执法记录仪", quantity=10, unit_of_measure="台"), 40),
    (1, "chengguan", dict(category="testing", name="食品快检试剂盒", spec="农残、兽残、非法添加", quantity=200, unit_of_measure="盒"), 60),
    (1, "chengguan", dict(category="protective", name="防护服", spec="一次性医用", quantity=100, unit_of_measure="套"), 100),
    (1, "chengguan", dict(category="supplies", name="封存用封条及证物袋", quantity=20, unit_of_measure="箱"), 30),
]


def seed_resources() -> int:
    """Create what is missing; returns how many items were added. Does nothing without the demo office."""
    office = User.objects.filter(username="office").first()
    chengguan = Unit.objects.filter(code="chengguan").first()
    if office is None or chengguan is None:
        return 0
    bureau = chengguan.bureau()
    points = []
    for fields in POINTS:
        point = ReservePoint.objects.filter(bureau=bureau, name=fields["name"]).first()
        points.append(point or services.reserve_point_create(actor=office, bureau=bureau, **fields))
    added, now = 0, timezone.now()
    for point, owner, fields, days_ago in ITEMS:
        if Resource.objects.filter(bureau=bureau, name=fields["name"]).exists():
            continue
        services.resource_create(actor=office, bureau=bureau, owner_unit=Unit.objects.get(code=owner),
                                 reserve_point=points[point], last_checked_at=now - timedelta(days=days_ago), **fields)
        added += 1
    return added

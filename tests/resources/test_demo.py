"""seed_demo adds a handful of emergency resources at two reserve points, each with its check on the
deadlines, and running it again adds nothing."""

import pytest
from django.core.management import call_command

from reporting.models import Kind, Obligation
from resources.models import ReservePoint, Resource

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_demo_inventory_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert ReservePoint.objects.count() == 2
    assert Resource.objects.filter(name="食品快检车", category="vehicle").exists()
    assert set(Resource.objects.values_list("category", flat=True)) >= {"vehicle", "communications", "testing"}
    count = Resource.objects.count()
    # Open (pending, or overdue for an item last checked longer ago than its interval): one per item.
    assert Obligation.objects.filter(kind=Kind.RESOURCE_CHECK, status__in=["pending", "overdue"]).count() == count
    assert Obligation.objects.filter(kind=Kind.RESOURCE_CHECK, status="overdue").exists()
    call_command("seed_demo")
    assert Resource.objects.count() == count and ReservePoint.objects.count() == 2

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from incidents.models import Category
from incidents.setup import categories_setup_from_plan
from roles.models import Contact, Unit
from roles.setup import bureau_setup_from_plan, city_bureau_setup


class Command(BaseCommand):
    help = (
        "Create or refresh a bureau's units, outside contacts and incident categories from the plan (safe in "
        "production). Without options: the plan's county. --name/--code: another county bureau; --parent: the "
        "code of the city bureau above it; --city: create a city bureau (--name, --code) instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", default="", help="the bureau's full name, e.g. 新郑市市场监督管理局")
        parser.add_argument("--code", default="", help="its code (letters, digits, _ or -), e.g. xinzheng")
        parser.add_argument("--name-en", default="", help="its English name")
        parser.add_argument("--parent", default="", help="code of the city bureau above this county bureau")
        parser.add_argument("--city", action="store_true", help="set up a city bureau above county bureaus")

    @transaction.atomic
    def handle(self, *args, name, code, name_en, parent, city, **options):
        try:
            if city:
                if not (name and code):
                    raise CommandError("A city bureau needs --name and --code.")
                bureau = city_bureau_setup(name=name, code=code, name_en=name_en)
            else:
                parent_unit = None
                if parent:
                    parent_unit = Unit.objects.filter(code=parent, kind=Unit.Kind.BUREAU).first()
                    if parent_unit is None:
                        raise CommandError(f"No bureau with the code {parent!r}: set the city bureau up first (--city).")
                bureau = bureau_setup_from_plan(name=name, code=code, parent=parent_unit, name_en=name_en)
                categories_setup_from_plan()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{bureau.name} ready. In all: {Unit.objects.count()} units, {Contact.objects.count()} contacts, "
            f"{Category.objects.count()} incident categories."
        )

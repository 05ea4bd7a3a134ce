from django.db import transaction

from incidents.models import Category
from incidents.plan_data import CATEGORIES
from roles.models import Unit


@transaction.atomic
def categories_setup_from_plan() -> None:
    """Create missing categories; an existing one keeps the section an administrator chose."""
    for order, (code, name, name_en, section_code) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "order": order, "section": Unit.objects.get(code=section_code)},
        )

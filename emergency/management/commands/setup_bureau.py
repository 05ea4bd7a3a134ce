from django.core.management.base import BaseCommand
from django.db import transaction

from incidents.models import Category
from incidents.setup import categories_setup_from_plan
from roles.models import Contact, Unit
from roles.setup import bureau_setup_from_plan


class Command(BaseCommand):
    help = "Create or refresh the bureau's units, outside contacts and incident categories from the plan (safe in production)."

    @transaction.atomic
    def handle(self, *args, **options):
        bureau_setup_from_plan()
        categories_setup_from_plan()
        self.stdout.write(
            f"Bureau ready: {Unit.objects.count()} units, {Contact.objects.count()} contacts, "
            f"{Category.objects.count()} incident categories."
        )

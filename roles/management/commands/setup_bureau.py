from django.core.management.base import BaseCommand

from roles.models import Contact, Unit
from roles.setup import bureau_setup_from_plan


class Command(BaseCommand):
    help = "Create or refresh the bureau's units and outside contacts from the plan (safe in production)."

    def handle(self, *args, **options):
        bureau_setup_from_plan()
        self.stdout.write(f"Bureau ready: {Unit.objects.count()} units, {Contact.objects.count()} contacts.")

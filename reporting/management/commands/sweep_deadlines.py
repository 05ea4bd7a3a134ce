from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reporting.models import Obligation
from reporting.sweep import sweep_due


class Command(BaseCommand):
    help = "Run one deadline sweep now, with the same code the beat runs, and print what it marked."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="sweep as of this ISO 8601 time (default: the database clock)")

    def handle(self, *args, now=None, **options):
        at = None
        if now:
            at = parse_datetime(now)
            if at is None:
                self.stderr.write(f"--now {now!r} is not an ISO 8601 time")
                raise SystemExit(2)
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        result = sweep_due(now=at)
        self.stdout.write(f"Swept at {timezone.localtime(result.now):%Y-%m-%d %H:%M:%S}: "
                          f"{len(result.marked_overdue)} marked overdue, {result.messages} messages queued.")
        for obligation in Obligation.objects.filter(pk__in=result.marked_overdue).select_related("incident", "owner_unit"):
            self.stdout.write(f"  overdue: {obligation} · {obligation.owner_unit} · due {timezone.localtime(obligation.due_at):%Y-%m-%d %H:%M}")

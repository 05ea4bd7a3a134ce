from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reporting.bounces import fetch_maildir


class Command(BaseCommand):
    help = ("Read the bounce mailbox once (the Maildir BOUNCE_MAILDIR, or --maildir), with the same code the "
            "beat runs: report emails returned (退信) fail and open their deadline again.")

    def add_arguments(self, parser):
        parser.add_argument("--maildir", help="the Maildir to read (default: BOUNCE_MAILDIR)")

    def handle(self, *args, maildir=None, **options):
        path = maildir or settings.BOUNCE_MAILDIR
        if not path:
            raise CommandError("Set BOUNCE_MAILDIR or give --maildir.")
        try:
            result = fetch_maildir(path)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Read {result.read} mails: {result.bounced} bounced, {result.delayed} delayed, "
                          f"{result.ignored} changed nothing, {result.unmatched} not ours.")

"""python manage.py subset_icons: rebuild static/icons/ with only the icons the portal uses (emergency/icons.py)."""

from django.core.management.base import BaseCommand, CommandError

from emergency import icons


class Command(BaseCommand):
    help = "Rebuild the icon font subset (static/icons/) from the icons the templates and scripts use."

    def handle(self, *args, **options):
        try:
            names = icons.write()
        except KeyError as exc:
            raise CommandError(str(exc)) from exc
        size = (icons.TARGET / icons.FONT_NAME).stat().st_size
        self.stdout.write(f"{len(names)} icons ({', '.join(sorted(names))}): {icons.FONT_NAME} {size} bytes")

from django.utils.functional import SimpleLazyObject

from roles.models import Unit


def bureau(request):
    """The bureau's name, for the heading of printed pages (base.html): one small query, made only
    when a page shows it. Not cached across requests: a renamed bureau prints at once."""

    def name():
        bureau = Unit.objects.filter(kind=Unit.Kind.BUREAU, parent=None).only("name", "name_en").first()
        return bureau.display_name if bureau else ""

    return {"bureau_name": SimpleLazyObject(name)}

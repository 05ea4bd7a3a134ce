"""What an obligation is owed about: its subject (design.md, "one deadline engine for everything the
bureau owes"). An incident's reports and measures are the first subject; a duty shift, an
early-warning deployment, a resource's check, a drill's rectification item or a plan's review are
others, each a nullable foreign key on Obligation (reporting.models.obligations.SUBJECT_FIELDS, one
set per row by the check constraint `obligation_one_subject`).

The app that owns a subject registers how to name it and link to it, once, in its AppConfig.ready():

    register("shift", label=lambda ob: _("Duty shift %(time)s") % {...}, url=lambda ob: reverse(...),
             related=("shift",))

Pages, messages and the API then name any obligation the same way: `subject_label(ob)`, `subject_url(ob)`.
"""

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse


@dataclass(frozen=True, slots=True)
class Subject:
    field: str
    label: Callable  # (Obligation) -> str, in the active language
    url: Callable  # (Obligation) -> str, the subject's page
    related: tuple[str, ...]  # paths (select_ or prefetch_related) that make label and url free of queries


SUBJECTS: dict[str, Subject] = {}


def register(field: str, *, label: Callable, url: Callable, related: tuple[str, ...] = ()) -> None:
    """Name and link the obligations whose subject is the foreign key `field` (a name in
    SUBJECT_FIELDS). Raises ValueError for a field that is not a subject of Obligation."""
    from reporting.models.obligations import SUBJECT_FIELDS

    if field not in SUBJECT_FIELDS:
        raise ValueError(f"{field!r} is not one of Obligation's subjects {SUBJECT_FIELDS}")
    SUBJECTS[field] = Subject(field, label, url, tuple(related) or (field,))


def subject_field(obligation) -> str:
    """The name of the subject the row is owed about ("incident", "shift", …)."""
    from reporting.models.obligations import SUBJECT_FIELDS

    for field in SUBJECT_FIELDS:
        if getattr(obligation, f"{field}_id") is not None:
            return field
    raise ValueError(f"obligation {obligation.pk} has no subject")


def _incident_label(obligation) -> str:
    incident = obligation.incident
    # A station's unsent draft is named by its reference only: its text is the station's (docs/deadlines.md rule 2).
    if incident.status == incident.Status.DRAFT:
        return incident.reference
    return f"{incident.reference} {incident.title}"


def subject_label(obligation) -> str:
    """The subject in a few words, in the active language: "2026-00012 某超市食品中毒" for an incident."""
    field = subject_field(obligation)
    if field == "incident":
        return _incident_label(obligation)
    return str(SUBJECTS[field].label(obligation))


def subject_url(obligation) -> str:
    """The page of the subject (the incident's page for an incident's deadlines)."""
    field = subject_field(obligation)
    if field == "incident":
        return reverse("incidents:detail", args=[obligation.incident_id])
    return SUBJECTS[field].url(obligation)


def subject_prefetch() -> list[str]:
    """prefetch_related paths for listing obligations of every subject other than an incident
    without a query per row: one query per kind of subject on the page, none for a kind absent from
    it. Not select_related: seven more outer joins on every list made PostgreSQL spend 17 ms planning
    each (issue 13); a list selects the incident itself."""
    paths = []
    for subject in SUBJECTS.values():
        paths += subject.related
    return paths


def subject_related() -> list[str]:
    """select_related paths reaching every subject, for a single row or a few (reporting.delivery)."""
    return ["incident", *subject_prefetch()]

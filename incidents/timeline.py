"""The incident's record as a person reads it (issue 12 item 3).

Events keep what changed as raw values ({"level": [None, 2]}, ids, ISO times in UTC): that is the
record, and it stays as written. This module turns them into lines in the reader's language at
render time: the field's label (its verbose_name), Ⅱ级 for a level, a choice's label, a unit's or a
person's name, a time in Asia/Shanghai. Other apps add their own entries to the timeline (reporting
adds every report) through `TIMELINE_SOURCES`, so the record reads in one place.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from incidents.models import ROMAN, CommandHQ, Incident, IncidentEvent, Measure

# Which model's fields an event's data speaks of.
EVENT_MODELS = {
    IncidentEvent.Kind.DRAFT_SAVED: Incident,
    IncidentEvent.Kind.CORRECTED: Incident,
    IncidentEvent.Kind.ACTIVATED: Incident,
    IncidentEvent.Kind.LEVEL_CHANGED: Incident,
    IncidentEvent.Kind.HQ_FORMED: CommandHQ,
    IncidentEvent.Kind.HQ_CHANGED: CommandHQ,
    IncidentEvent.Kind.MEASURE_ADDED: Measure,
    IncidentEvent.Kind.MEASURE_UPDATED: Measure,
}
# Facts (not changes) worth a line: the HQ as formed, a new measure's owner and deadline.
FACT_KEYS = {
    IncidentEvent.Kind.HQ_FORMED: ("commander", "lead_section", "member_sections", "stations"),
    IncidentEvent.Kind.MEASURE_ADDED: ("owner_unit", "due_at"),
}
LEVEL_FIELDS = {"level", "proposed_level"}
# Callables incident → iterable of TimelineEntry, registered by other apps in their ready().
TIMELINE_SOURCES = []


@dataclass
class TimelineEntry:
    """One line of the record. `at` is aware (UTC in the database, shown in Asia/Shanghai);
    `changes` are (label, old, new) and `facts` (label, value), all display strings."""

    at: datetime
    title: str
    actor: object = None
    actor_role: str = ""
    delegation: object = None
    message: str = ""
    changes: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    links: list = field(default_factory=list)  # (label, url)
    kind: str = ""
    message_folded: bool = False  # long texts (a report's) open on demand


def level_text(level) -> str:
    """2 → “Ⅱ级” (zh) / “Level Ⅱ” (en); None → “—”."""
    if level in ROMAN:
        return _("Level %(roman)s") % {"roman": ROMAN[level]}
    return "—"


def local_time_text(value) -> str:
    """An aware datetime or its ISO text → “2026-11-30 17:46” in Asia/Shanghai; other values as text."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime):
        return str(value)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt_timezone.utc)  # events keep UTC
    return dateformat.format(timezone.localtime(moment), "Y-m-d H:i")


def _field(model, key):
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:  # a key that is no field (a fact of the step), shown as it is
        return None


class _Names:
    """Related rows an event names by id, fetched in one query per model for the whole page."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.found = {}

    def want(self, model, value):
        for pk in value if isinstance(value, list) else [value]:
            if isinstance(pk, int):
                self.wanted[model].add(pk)

    def fetch(self):
        for model, pks in self.wanted.items():
            self.found[model] = {obj.pk: obj for obj in model.objects.filter(pk__in=pks)}

    def name(self, model, pk) -> str:
        obj = self.found.get(model, {}).get(pk)
        if obj is None:
            return f"#{pk}"
        return getattr(obj, "display_name", None) or str(obj)  # units, categories, people


def _value_text(model, key, value, names: _Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    f = _field(model, key)
    if key in LEVEL_FIELDS:
        return level_text(value)
    if f is None:
        return str(value)
    if f.is_relation:
        related = f.related_model
        if isinstance(value, list):
            return "、".join(names.name(related, pk) for pk in value)
        return names.name(related, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.DateTimeField):
        return local_time_text(value)
    if isinstance(f, models.BooleanField):
        return _("yes") if value else _("no")
    return str(value)


def _label(model, key) -> str:
    f = _field(model, key)
    return str(f.verbose_name) if f is not None else key


def _pairs(event):
    """(key, [old, new]) of an event that records changes; the others hold facts or snapshots."""
    if event.kind in FACT_KEYS:
        return []
    return [(k, v) for k, v in (event.data or {}).items() if isinstance(v, list) and len(v) == 2]


def event_entries(events) -> list[TimelineEntry]:
    """IncidentEvents → TimelineEntry, in the order given. Queries: one for their attachments (none if
    prefetched), one per model the events name (units, people, categories), whatever the number of events."""
    events = list(events)
    prefetch_related_objects(events, "attachments")
    names = _Names()
    for event in events:
        model = EVENT_MODELS.get(event.kind)
        if model is None:
            continue
        for key, pair in _pairs(event):
            f = _field(model, key)
            if f is not None and f.is_relation:
                for value in pair:
                    names.want(f.related_model, value)
        for key in FACT_KEYS.get(event.kind, ()):
            f = _field(model, key)
            if f is not None and f.is_relation:
                names.want(f.related_model, event.data.get(key))
    names.fetch()
    entries = []
    for event in events:
        model = EVENT_MODELS.get(event.kind)
        entry = TimelineEntry(
            at=event.at, title=event.get_kind_display(), actor=event.actor, actor_role=event.actor_role,
            delegation=event.delegation, message=event.message_text, attachments=list(event.attachments.all()),
            kind=event.kind,
        )
        if model is not None:
            entry.changes = [(_label(model, key), _value_text(model, key, old, names), _value_text(model, key, new, names))
                             for key, (old, new) in _pairs(event)]
            entry.facts = [(_label(model, key), _value_text(model, key, event.data.get(key), names))
                           for key in FACT_KEYS.get(event.kind, ()) if key in (event.data or {})]
        entries.append(entry)
    return entries


class MergedTimeline:
    """The incident's record in order, read and formatted a page at a time: of the events only their
    times and ids are read for the order; a page's events are read whole and become lines
    (event_entries, one query per model they name) only when sliced, so an incident with 500 events
    reads and formats the 20 shown, not all of them (issue 13). Supports len() and slicing (what a
    Paginator uses); iterating reads and formats everything."""

    def __init__(self, rows: list, events):
        self._rows = rows  # (at, order, n, IncidentEvent id | TimelineEntry), sorted
        self._events = events  # the events' queryset, to read a page's whole rows from

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1 if index != -1 else None][0]
        rows = self._rows[index]
        ids = [item for _at, order, _n, item in rows if order == 0]
        events = self._events.in_bulk(ids) if ids else {}
        lines = iter(event_entries([events[pk] for pk in ids]))
        return [next(lines) if order == 0 else item for _at, order, _n, item in rows]

    def __iter__(self):
        return iter(self[:])


def merged_timeline(incident, events) -> MergedTimeline:
    """The incident's events (a queryset, in their order) and what other apps add (TIMELINE_SOURCES),
    oldest first; at the same moment an event comes before a report, as the step precedes what it
    sends. Events are read whole and formatted when their page is read (MergedTimeline)."""
    rows = [(at, 0, n, pk) for n, (at, pk) in enumerate(events.values_list("at", "pk"))]
    for source in TIMELINE_SOURCES:
        rows += [(entry.at, 1, n, entry) for n, entry in enumerate(source(incident))]
    rows.sort(key=lambda row: row[:3])
    return MergedTimeline(rows, events)

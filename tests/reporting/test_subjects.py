"""Obligations about subjects other than incidents (reporting.subjects; design.md, one deadline engine)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reporting import obligations as rules
from reporting.models import Kind, Obligation
from reporting.models.obligations import SUBJECT_FIELDS
from reporting.subjects import register, subject_field

pytestmark = pytest.mark.django_db


def test_incident_is_a_subject():
    assert SUBJECT_FIELDS[0] == "incident"


def test_a_row_without_a_subject_is_refused(bureau):
    now = timezone.now()
    office = bureau.children.get(code="office")
    with pytest.raises(IntegrityError), transaction.atomic():
        Obligation.objects.create(kind=Kind.MEASURE, owner_unit=office, starts_at=now,
                                  due_at=now + datetime.timedelta(hours=1))


def test_create_for_needs_exactly_one_subject(bureau):
    now = timezone.now()
    office = bureau.children.get(code="office")
    with pytest.raises(ValueError):
        rules.create_for(kind=Kind.MEASURE, owner_unit=office, starts_at=now, due_at=now)
    with pytest.raises(ValueError):
        rules.create_for(kind=Kind.MEASURE, owner_unit=office, starts_at=now, due_at=now, nothing=1)
    assert not Obligation.objects.exists()


def test_register_refuses_a_field_that_is_not_a_subject():
    with pytest.raises(ValueError):
        register("report", label=str, url=str)


def test_an_incidents_obligation_names_its_incident(file_incident):
    incident = file_incident(proposed_level=2)
    obligation = Obligation.objects.get(incident=incident, kind=Kind.FIRST_REPORT)
    assert subject_field(obligation) == "incident"
    assert incident.reference in obligation.subject_label
    assert obligation.subject_url == f"/incidents/{incident.pk}/"

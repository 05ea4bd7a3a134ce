"""Photos and documents attached to an incident, its events and measures."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incidents.attachments import check_upload
from incidents.models import Attachment, Incident
from incidents.services.base import E, _event, _locked
from incidents.services.checks import check_attach
from roles.models import User


def _attach(incident, upload, actor, *, event=None, measure=None) -> Attachment:
    content_type = check_upload(upload)
    return Attachment.objects.create(
        incident=incident, event=event, measure=measure, file=upload, name=upload.name[:200],
        content_type=content_type, size=upload.size, uploaded_by=actor,
    )


@transaction.atomic
def attachment_add(*, actor: User, incident: Incident, files) -> list[Attachment]:
    """Photos and documents: by the station while it is the station's report, later by anyone
    who takes part (the station, HQ units, the office)."""
    incident = _locked(incident)
    check_attach(actor, incident)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    event = _event(incident, E.ATTACHMENT_ADDED, actor, data={"files": [f.name for f in files]})
    return [_attach(incident, upload, actor, event=event) for upload in files]

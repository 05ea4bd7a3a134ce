"""What may be attached to an incident: photos, PDF and office documents, up to a size.

The type is decided by the file's first bytes, not by its name or the browser's word, so a
renamed executable is refused. Files are stored under MEDIA_ROOT (outside the web root) with
random names and served only through incidents.views.attachment_download, which checks
that the user may see the incident.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# extension → (content type, signatures the file may start with)
ALLOWED = {
    ".jpg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".jpeg": ("image/jpeg", [b"\xff\xd8\xff"]),
    ".png": ("image/png", [b"\x89PNG\r\n\x1a\n"]),
    ".gif": ("image/gif", [b"GIF87a", b"GIF89a"]),
    ".webp": ("image/webp", [b"RIFF"]),
    ".heic": ("image/heic", [b"\x00\x00\x00"]),  # ftyp box; phones in the field produce these
    ".pdf": ("application/pdf", [b"%PDF-"]),
    ".doc": ("application/msword", [b"\xd0\xcf\x11\xe0"]),
    ".xls": ("application/vnd.ms-excel", [b"\xd0\xcf\x11\xe0"]),
    ".ppt": ("application/vnd.ms-powerpoint", [b"\xd0\xcf\x11\xe0"]),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", [b"PK\x03\x04"]),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", [b"PK\x03\x04"]),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", [b"PK\x03\x04"]),
    ".wps": ("application/vnd.ms-works", [b"\xd0\xcf\x11\xe0"]),
}
ACCEPT = ",".join(ALLOWED)


def check_upload(upload) -> str:
    """Return the content type to store, or raise ValidationError with a message for the user."""
    limit = settings.ATTACHMENT_MAX_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB.") % {"name": upload.name, "limit": settings.ATTACHMENT_MAX_MB}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name})
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(
            _("“%(name)s” is not an accepted kind of file: photos, PDF and office documents only.") % {"name": upload.name}
        )
    content_type, signatures = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(_("“%(name)s” does not contain what its name says.") % {"name": upload.name})
    return content_type

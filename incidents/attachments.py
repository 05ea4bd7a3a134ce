"""What may be attached to an incident: photos, PDF and office documents, up to a size.

A file is accepted only when it *is* what its name says (issue 10, kind 8): a JPEG header followed
by HTML, or three NUL bytes named ``.heic``, used to pass a check of the first bytes. Now:

- the kind is identified by ``filetype`` (a maintained magic-number library) for images and PDF;
- photos (JPEG, PNG, GIF, WebP) are decoded with Pillow (verify, then a full load), so a file that
  merely starts like an image is refused; images over Pillow's pixel limit (decompression bombs)
  are refused too;
- HEIC (what phones in the field produce; Pillow cannot decode it) is accepted when filetype finds
  an ISO-BMFF ``ftyp`` box with a HEIC brand;
- PDFs must parse with pypdf and have at least one page;
- Office Open XML documents (docx, xlsx, pptx) must be zip containers holding
  ``[Content_Types].xml`` and their main part; nothing is decompressed, so a zip bomb costs nothing;
- old binary Office files (doc, xls, ppt, wps) must carry a well-formed OLE2 compound-file header.

Files are stored under MEDIA_ROOT (outside the web root) with random names and served only through
incidents.views.attachment_download, which checks that the user may see the incident, with nosniff.
"""

from __future__ import annotations

import struct
import warnings
import zipfile
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

PHOTOS = {  # extension → (content type, Pillow's name of the format)
    ".jpg": ("image/jpeg", "JPEG"),
    ".jpeg": ("image/jpeg", "JPEG"),
    ".png": ("image/png", "PNG"),
    ".gif": ("image/gif", "GIF"),
    ".webp": ("image/webp", "WEBP"),
}
OFFICE_OPEN_XML = {  # extension → (content type, the part every such document has)
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "word/document.xml"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/workbook.xml"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ppt/presentation.xml"),
}
OLE2 = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".wps": "application/vnd.ms-works",
}
ALLOWED = {
    **{ext: content_type for ext, (content_type, _format) in PHOTOS.items()},
    ".heic": "image/heic",
    ".pdf": "application/pdf",
    **{ext: content_type for ext, (content_type, _part) in OFFICE_OPEN_XML.items()},
    **OLE2,
}
ACCEPT = ",".join(ALLOWED)
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_upload(upload) -> str:
    """Return the content type to store for ``upload`` (a Django UploadedFile).

    Raises ValidationError, with a message in the active language naming the file, when it is
    empty, larger than ATTACHMENT_MAX_MB MiB, of a kind not accepted, or does not decode as the
    kind its extension claims. Leaves the file positioned at its start.
    """
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
    try:
        upload.seek(0)
        genuine = _is_genuine(upload, extension)
    except Exception:  # noqa: BLE001  any parser's complaint about a malformed file means the same: refused
        genuine = False
    finally:
        upload.seek(0)
    if not genuine:
        raise ValidationError(_("“%(name)s” does not contain what its name says.") % {"name": upload.name})
    return ALLOWED[extension]


def _is_genuine(upload, extension: str) -> bool:
    head = upload.read(8192)
    upload.seek(0)
    if extension in PHOTOS:
        content_type, pillow_format = PHOTOS[extension]
        return _mime(head) == content_type and _decodes_as_image(upload, pillow_format)
    if extension == ".heic":
        return _mime(head) == "image/heic"
    if extension == ".pdf":
        return _mime(head) == "application/pdf" and _parses_as_pdf(upload)
    if extension in OFFICE_OPEN_XML:
        return _is_office_open_xml(upload, OFFICE_OPEN_XML[extension][1])
    return _has_ole2_header(head)


def _mime(head: bytes) -> str | None:
    kind = filetype.guess(head)
    return kind.mime if kind else None


def _decodes_as_image(upload, pillow_format: str) -> bool:
    with warnings.catch_warnings():
        # Above Image.MAX_IMAGE_PIXELS Pillow only warns; a photo that large is a decompression bomb here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(upload) as image:
            if image.format != pillow_format:
                return False
            image.verify()  # structure and checksums; the image cannot be used after this
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # every pixel decoded: truncated or garbled data raises here
    return True


def _parses_as_pdf(upload) -> bool:
    from pypdf import PdfReader

    reader = PdfReader(upload, strict=False)
    if reader.is_encrypted:
        return True  # a password-protected document: its trailer and xref parsed, pages cannot be counted
    return len(reader.pages) >= 1


def _is_office_open_xml(upload, main_part: str) -> bool:
    if not zipfile.is_zipfile(upload):
        return False
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        names = set(archive.namelist())  # the central directory only: nothing is decompressed
    return "[Content_Types].xml" in names and main_part in names


def _has_ole2_header(head: bytes) -> bool:
    """The compound-file header of old Office files: signature, little-endian byte order mark,
    sector size 512 (version 3) or 4096 (version 4), mini-sector size 64."""
    if len(head) < 512 or not head.startswith(OLE2_SIGNATURE):
        return False
    major_version, byte_order, sector_shift, mini_sector_shift = struct.unpack_from("<HHHH", head, 26)
    return byte_order == 0xFFFE and (major_version, sector_shift) in {(3, 9), (4, 12)} and mini_sector_shift == 6

"""Uploads (issue 10, kind 8): a file is accepted only when it decodes as the kind its name claims."""

import struct
import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents.attachments import check_upload


def image(fmt: str, size=(64, 48)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, fmt)
    return buffer.getvalue()


def pdf() -> bytes:
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


def ooxml(*parts: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in parts:
            archive.writestr(part, "<?xml version='1.0'?><x/>")
    return buffer.getvalue()


def ole2(major=3, byte_order=0xFFFE, sector_shift=9) -> bytes:
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, major, byte_order, sector_shift, 6)
    return bytes(header) + b"\x00" * 512


def heic() -> bytes:
    """The start of a phone's HEIC photo: an ftyp box, brand heic, compatible mif1/heic."""
    brands = b"mif1heic"
    ftyp = struct.pack(">I", 16 + len(brands)) + b"ftyp" + b"heic" + b"\x00\x00\x00\x00" + brands
    return ftyp + struct.pack(">I", 8) + b"meta" + b"\x00" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize("name, content, content_type", [
    ("现场.jpg", image("JPEG"), "image/jpeg"),
    ("现场.JPEG", image("JPEG"), "image/jpeg"),
    ("现场.png", image("PNG"), "image/png"),
    ("现场.gif", image("GIF"), "image/gif"),
    ("现场.webp", image("WEBP"), "image/webp"),
    ("现场.heic", heic(), "image/heic"),
    ("通报.pdf", pdf(), "application/pdf"),
    ("台账.docx", ooxml("[Content_Types].xml", "word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("台账.xlsx", ooxml("[Content_Types].xml", "xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("汇报.pptx", ooxml("[Content_Types].xml", "ppt/presentation.xml"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("旧文档.doc", ole2(), "application/msword"),
    ("旧表格.xls", ole2(major=4, sector_shift=12), "application/vnd.ms-excel"),
    ("旧文档.wps", ole2(), "application/vnd.ms-works"),
])
def test_genuine_files_are_accepted(name, content, content_type):
    file = upload(name, content)
    assert check_upload(file) == content_type
    assert file.tell() == 0  # ready to be stored


JPEG_THEN_HTML = b"\xff\xd8\xff\xe0" + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize("name, content", [
    ("photo.jpg", JPEG_THEN_HTML),                               # the example
    ("photo.heic", b"\x00\x00\x00" + b"<html><body>hi</body></html>"),  # the other example
    ("photo.heic", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"),  # an MP4 video named .heic
    ("photo.jpg", image("JPEG")[:200]),                          # truncated: starts right, does not decode
    ("photo.jpg", image("PNG")),                                 # a PNG named .jpg
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),            # a PNG signature and nothing else
    ("photo.gif", b"GIF89a<svg onload=alert(1)>"),
    ("photo.webp", b"RIFF\x00\x00\x00\x00WAVEfmt "),             # a sound file's RIFF header
    ("report.pdf", b"%PDF-1.7\n<html>not a pdf</html>"),
    ("report.pdf", image("PNG")),
    ("ledger.docx", ooxml("[Content_Types].xml", "xl/workbook.xml")),  # a spreadsheet named .docx
    ("ledger.docx", ooxml("word/document.xml")),                       # no content types part
    ("ledger.xlsx", b"PK\x03\x04" + b"<html></html>"),                 # a zip header and nothing else
    ("old.doc", b"\xd0\xcf\x11\xe0" + b"<html></html>" * 50),          # the old four-byte check passed this
    ("old.doc", ole2(byte_order=0x1234)),
    ("setup.jpg", b"MZ\x90\x00" + b"\x00" * 64),                         # a renamed executable
])
def test_files_that_do_not_decode_as_their_kind_are_refused(name, content):
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content))
    assert name in refused.value.messages[0]


def test_an_image_over_pillows_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)  # 64×48 = 3072 pixels: Pillow would only warn
    with pytest.raises(ValidationError):
        check_upload(upload("bomb.png", image("PNG")))


@pytest.mark.parametrize("name", ["page.html", "page.svg", "run.exe", "noextension"])
def test_other_kinds_are_refused_by_name(name):
    with pytest.raises(ValidationError):
        check_upload(upload(name, image("PNG")))


def test_the_message_is_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        check_upload(upload("photo.jpg", JPEG_THEN_HTML))
    assert refused.value.messages == ["文件“photo.jpg”的内容与其扩展名不符。"]

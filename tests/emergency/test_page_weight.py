"""Light on a phone (issue 12 item 9): only the icons used are served (emergency/icons.py), text is
compressed in both modes, and the intake page stays ≤ 120 KB transferred. Bytes are deterministic, so
they are tested here; the time (LCP on a phone's profile) is bench/intake_page.py's (`make bench-page`)."""

import gzip
import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from emergency import icons

pytestmark = pytest.mark.django_db

BUDGET = 120 * 1024
HEADERS_PER_RESPONSE = 500  # status line and headers, generously (the benchmark counts them as sent)


class _Assets(HTMLParser):
    """What a browser fetches for the page itself: stylesheets, scripts, the icon."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon"):
            self.urls.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def _static(url: str) -> bytes:
    path = finders.find(url.split("?")[0].removeprefix("/static/"))
    assert path, url
    with open(path, "rb") as f:
        return f.read()


def _sent(url: str, body: bytes) -> int:
    """Bytes on the wire: WhiteNoise's precompressed gzip (level 9) for text, fonts as they are."""
    return len(body) if url.endswith(".woff2") else len(gzip.compress(body, 9, mtime=0))


def test_every_icon_the_pages_use_is_in_the_subset():
    from fontTools.ttLib import TTFont

    used = icons.icons_used()
    assert {"bell", "shield-check"} <= used  # the menu's: the scan finds the templates' icons
    css = (icons.TARGET / icons.CSS_NAME).read_text(encoding="utf-8")
    served = set(re.findall(r"\.bi-([a-z0-9-]+)::before", css))
    assert used <= served, f"run `python manage.py subset_icons`: missing {sorted(used - served)}"
    cmap = TTFont(BytesIO((icons.TARGET / icons.FONT_NAME).read_bytes())).getBestCmap()
    codepoints = icons.vendor_codepoints()
    assert {codepoints[name] for name in used} <= set(cmap)
    assert (icons.TARGET / icons.FONT_NAME).stat().st_size < 10 * 1024  # not the 134 KB font


def test_the_subset_stylesheet_is_what_subset_icons_builds():
    _font, css = icons.build(icons.icons_used())
    assert (icons.TARGET / icons.CSS_NAME).read_text(encoding="utf-8") == css, "run `python manage.py subset_icons`"


def test_an_unknown_icon_is_refused_by_name():
    with pytest.raises(KeyError, match="no-such-icon"):
        icons.build({"bell", "no-such-icon"})


def test_the_intake_page_transfers_at_most_120_kb(cast, login):
    response = login("station1").get("/incidents/new/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    total = len(response.content) + HEADERS_PER_RESPONSE
    parser = _Assets()
    parser.feed(html)
    assert "/static/icons/bootstrap-icons-subset.css" in parser.urls
    assert not [u for u in parser.urls if "vendor/bootstrap-icons" in u]  # the full icon font is not loaded
    fetched = {}
    for url in parser.urls:
        body = _static(url)
        fetched[url] = _sent(url, body) + HEADERS_PER_RESPONSE
        if url.endswith(".css"):  # fonts the stylesheet loads (the icons'; Bootstrap's own images are data: URLs)
            for font in re.findall(r'url\("?([^")?#]+\.woff2?)', body.decode()):
                font_url = url.rsplit("/", 1)[0] + "/" + font
                fetched[font_url] = _sent(font_url, _static(font_url)) + HEADERS_PER_RESPONSE
    total += sum(fetched.values())
    assert total <= BUDGET, (total, fetched)


@override_settings(DEBUG=True, WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_make_run_serves_static_files_compressed():
    """Under `make run` WhiteNoise serves static/ as it is: the middleware compresses it (it was 565 KB)."""
    client = Client()  # a new handler: WhiteNoise reads its settings when the middleware is made
    response = client.get("/static/vendor/bootstrap/bootstrap.min.css", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    original = _static("/static/vendor/bootstrap/bootstrap.min.css")
    assert gzip.decompress(body) == original and len(body) < len(original) / 4
    # Fonts and photos are compressed already: sent as they are.
    font = client.get(f"/static/icons/{icons.FONT_NAME}", HTTP_ACCEPT_ENCODING="gzip")
    assert font.status_code == 200 and not font.has_header("Content-Encoding")


def test_the_api_answers_as_before_uncompressed(cast, api):
    """The API's programs (and schemathesis) read JSON as it was: only what browsers load is compressed."""
    response = api("office").get("/api/categories/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and not response.has_header("Content-Encoding")

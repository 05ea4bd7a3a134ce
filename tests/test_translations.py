"""Every visible string has a Chinese translation.

makemessages runs on a copy of the code, so a string added without a translation shows up
here as untranslated (or as a fuzzy guess), and the real catalog is never rewritten by a test.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Path("locale/zh_Hans/LC_MESSAGES/django.po")
SKIP = shutil.ignore_patterns(".venv", ".git", "var", "static", "staticfiles", "tests", "docs", "__pycache__", "*.mo",
                              "test-artifacts")  # written meanwhile by browser tests in other xdist workers


def test_every_visible_string_has_a_chinese_translation(tmp_path):
    copy = tmp_path / "portal"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-location", "--no-obsolete"],
        cwd=copy, env={**os.environ, "DEBUG": "true"}, check=True, capture_output=True, text=True, timeout=120,
    )
    catalog = polib.pofile(str(copy / CATALOG))
    missing = [entry.msgid for entry in catalog if not entry.obsolete and (not entry.translated() or entry.fuzzy)]
    assert not missing, f"strings without a Chinese translation ({len(missing)}): {missing[:20]}"


def test_the_catalog_is_well_formed():
    catalog = polib.pofile(str(ROOT / CATALOG))
    assert len(catalog) > 100
    assert not catalog.fuzzy_entries()
    for entry in catalog.translated_entries():
        for placeholder in ("%(", "%s", "%d"):
            assert entry.msgid.count(placeholder) == entry.msgstr.count(placeholder), entry.msgid

"""`python tests/loopback_celery.py <celery arguments>`: a Celery process for tests whose group robot
listens on loopback (tests/fakes.py). The send-time SSRF check (roles.webhooks.check_webhook_url),
which refuses loopback by design, is waved through in this process only; production code and
settings stay strict. tests/roles/test_webhooks.py tests the check itself."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emergency.settings")
    django.setup()
    from roles import webhooks

    webhooks.check_webhook_url = lambda url: None
    from emergency.celery import app

    app.start(sys.argv[1:])

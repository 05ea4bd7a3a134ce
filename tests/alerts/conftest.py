"""The alerts cast: the cast of tests/conftest.py plus `press` (新闻宣传, the publicity section) and
`hotline` (12315投诉中心), who draft releases; `acting` makes the deputy acting leader for now."""

from datetime import timedelta

import pytest
from django.utils import timezone

from roles.models import Membership, Unit, User
from roles.services import delegation_create, membership_set
from tests.conftest import PASSWORD
from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)

WARNING = {"level": 2, "affected": "烟花爆竹、节日食品", "title": "春节消费提示", "body": "购买烟花爆竹请认准正规渠道。"}


@pytest.fixture
def drafters(cast):
    """press (publicity section) and hotline (12315 centre) added to the cast dict."""
    for username, code in (("press", "publicity"), ("hotline", "complaints_12315")):
        user = User.objects.create_user(username, password=PASSWORD, last_name=username)
        membership_set(user=user, unit=Unit.objects.get(code=code), role=Membership.Role.STAFF)
        cast[username] = user
    return cast


@pytest.fixture
def acting(cast):
    """The director designates the deputy acting leader from an hour ago for a day."""
    now = timezone.now()
    return delegation_create(actor=cast["director"], acting=cast["deputy"], starts_at=now - timedelta(hours=1),
                             ends_at=now + timedelta(days=1), reason="局长出差")


def warning_fields(**overrides):
    now = timezone.now()
    return {**WARNING, "valid_from": now, "valid_until": now + timedelta(days=7), **overrides}

"""The cast every test speaks of (the Healthchecks habit): the bureau of the plan, and
director, deputy, office, food, station1, station2, admin and an outsider with no unit."""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.http import HttpRequest
from rest_framework.test import APIClient

from roles.models import Membership, Unit, User
from roles.permissions import Role
from roles import services as role_services
from roles.services import membership_set
from roles.setup import bureau_setup_from_plan

PASSWORD = "test-password-123"


def redis_db_per_xdist_worker() -> str | None:
    """Under pytest-xdist (`make test` runs two workers) each worker gets its own Redis database:
    REDIS_URL's database number plus the worker's number (gw0 → +0, gw1 → +1 …), for the cache
    (the token throttle, the robots' rate limiter, which tests clear with cache.clear(), a FLUSHDB)
    and the Celery broker (tests/reporting/test_real_services.py runs a real worker on it). Each
    worker already has its own PostgreSQL database (pytest-django's test_<name>_gw0 …).

    Settings are read before this conftest is imported, so the URL is changed here, in settings
    (override_settings: its signal drops any cache connection made with the old URL), in Celery's
    configuration, and in the environment that processes started by tests inherit. Returns the
    URL in use, or None when there is nothing to change (no xdist worker, or no Redis)."""
    from django.conf import settings
    from django.test.utils import override_settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not settings.REDIS_URL:
        return None
    url = urlsplit(settings.REDIS_URL)
    base = int(url.path.strip("/") or 0)
    number = base + int(worker.removeprefix("gw"))
    if number > 15:  # redis-server's default `databases 16`
        raise pytest.UsageError(f"REDIS_URL's database {base} + xdist worker {worker} is past Redis's 16 databases: "
                                "use a lower database number in REDIS_URL or fewer workers (-n)")
    worker_url = urlunsplit(url._replace(path=f"/{number}"))
    override_settings(
        REDIS_URL=worker_url,
        CACHES={**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": worker_url}},
        CELERY_BROKER_URL=worker_url,
    ).enable()  # for the whole session: never disabled
    from emergency.celery import app

    app.conf.broker_url = worker_url
    os.environ["REDIS_URL"] = worker_url
    return worker_url


redis_db_per_xdist_worker()

CAST = {
    "director": [("leading_group", Membership.Role.LEADER)],
    "deputy": [("leading_group", Membership.Role.COMMANDER)],
    "office": [("office", Membership.Role.STAFF)],
    "food": [("food_coordination", Membership.Role.STAFF)],
    "station1": [("chengguan", Membership.Role.STAFF)],
    "station2": [("baisha", Membership.Role.STAFF)],
    "outsider": [],
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per test and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_token_throttle():
    """The token endpoint's throttle counts in the cache (Redis in CI), which outlives a test's
    transaction: start each test with no requests counted."""
    from django.core.cache import cache

    from roles.signin import TokenThrottle

    cache.delete(TokenThrottle.cache_format % {"scope": TokenThrottle.scope, "ident": "127.0.0.1"})


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in the test's own process and transaction; tests/reporting/test_worker.py
    turns this off to go through a real worker and Redis."""
    from emergency.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


def restore_migration_data():
    """A transactional test ends with a flush that empties every table, including what the
    migrations put there. Put it back: permissions and role groups (post_migrate) and the
    plan's rules (the same seed functions the data migrations run)."""
    import importlib

    from django.apps import apps
    from django.core.management.sql import emit_post_migrate_signal

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    for module in ("incidents.migrations.0002_plan_policy", "reporting.migrations.0014_written_report_rule",
                   "alerts.migrations.0003_plan_occasions_and_tasks", "alerts.migrations.0004_task_done_on_approval"):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture
def bureau(db, request, monkeypatch):
    """The plan's bureau, built by roles.setup as in production. Then, for the rest of the test,
    roles.services.role_groups_ensure answers the role groups it made instead of checking every
    role's permissions again on each call (user_sync_groups calls it for every membership_set): it
    is idempotent and no test changes the role permissions. Those calls were about half of the
    bureau's and the cast's setup, which most tests pay for (0.26 of 0.53 s under cProfile).
    tests/incidents had this alone before; it is for every directory now."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        restore_migration_data()
    unit = bureau_setup_from_plan()
    groups = role_services.role_groups_ensure()
    monkeypatch.setattr(role_services, "role_groups_ensure", lambda: groups)
    return unit


@pytest.fixture
def cast(bureau):
    people = {}
    for username, memberships in CAST.items():
        user = User.objects.create_user(username, password=PASSWORD, last_name=username)
        for code, role in memberships:
            membership_set(user=user, unit=Unit.objects.get(code=code), role=role)
        people[username] = user
    admin = User.objects.create_user("admin", password=PASSWORD, is_staff=True, is_superuser=True)
    admin.groups.add(role_services.role_groups_ensure()[Role.ADMINISTRATOR])
    people["admin"] = admin
    return people


@pytest.fixture
def login(client):
    """login("station1") → a Django test client signed in as that cast member."""

    def _login(username):
        client.logout()
        if username != "anonymous":
            # django-axes watches every sign-in and needs the request it comes with.
            assert client.login(request=HttpRequest(), username=username, password=PASSWORD)
        return client

    return _login


@pytest.fixture
def api(cast):
    """api("office") → a DRF client authenticated as that cast member (anonymous: none)."""

    def _api(username):
        client = APIClient()
        if username != "anonymous":
            client.force_authenticate(cast[username])
        return client

    return _api


# A city bureau above two counties (issue 11): the cast's county (the plan's) and 新郑市, with its people.
COUNTY_CAST = {
    "city_office": [("zhengzhou_office", Membership.Role.STAFF), ("zhengzhou_leading_group_office", Membership.Role.STAFF)],
    "xz_director": [("xinzheng_leading_group", Membership.Role.LEADER)],
    "xz_deputy": [("xinzheng_leading_group", Membership.Role.COMMANDER)],
    "xz_office": [("xinzheng_office", Membership.Role.STAFF)],
    "xz_food": [("xinzheng_food_coordination", Membership.Role.STAFF)],
    "xz_station": [("xinzheng_chengguan", Membership.Role.STAFF)],
}


@pytest.fixture
def counties(cast):
    """The cast plus a city bureau (郑州, code zhengzhou) above the cast's county and a second county
    (新郑, code xinzheng, units xinzheng_*): returns the cast, COUNTY_CAST's people added to it."""
    from roles.setup import city_bureau_setup

    city = city_bureau_setup(name="郑州市市场监督管理局", code="zhengzhou")
    bureau_setup_from_plan(parent=city)
    bureau_setup_from_plan(name="新郑市市场监督管理局", code="xinzheng", parent=city)
    people = cast  # the same dict: api() and the other fixtures find the new people too
    for username, memberships in COUNTY_CAST.items():
        user = User.objects.create_user(username, password=PASSWORD, last_name=username)
        for code, role in memberships:
            membership_set(user=user, unit=Unit.objects.get(code=code), role=role)
        people[username] = user
    return people
@pytest.fixture
def city(cast):
    """The city bureau in this portal (issue 11), kept small: a bureau with its leading group and
    leading group office, `city_office` in that office, and the upward contact `city_bureau`
    pointing at it, so that reports to it arrive in its inbox. Not the county's parent: the
    county's documents and page headings name the one bureau without a parent.

    The membership is made directly, without roles.services.membership_set: role groups follow
    from memberships without regard to which bureau the office belongs to, so membership_set would
    make city_office county office staff. Signing for reports goes by the membership itself
    (reporting.selectors.office_bureau_ids)."""
    city = Unit.objects.create(code="zhengzhou_city", kind=Unit.Kind.BUREAU, name="郑州市市场监督管理局",
                               name_en="Zhengzhou Municipal Market Supervision Bureau")
    group = Unit.objects.create(code="zhengzhou_leading_group", kind=Unit.Kind.LEADING_GROUP, parent=city,
                                name="郑州市市场监管突发事件应急工作领导小组")
    office = Unit.objects.create(code="zhengzhou_office", kind=Unit.Kind.LEADING_GROUP_OFFICE, parent=group,
                                 name="郑州市局应急领导小组办公室")
    user = User.objects.create_user("city_office", password=PASSWORD, last_name="市局值班员")
    Membership.objects.create(user=user, unit=office, role=Membership.Role.STAFF)
    cast["city_office"] = user
    from roles.models import Contact

    Contact.objects.filter(code="city_bureau").update(portal_unit=city)
    return city

"""Generated inputs against the whole API (issue 10): schemathesis reads /api/schema/ and, for
each operation, generates requests from it (path ids, query parameters, JSON bodies) for three
roles of the cast — a station, the office, the leader of the leading group. Every response must
not be a 5xx and must conform to the schema: a declared status code, the declared content type,
a body that validates against the declared response schema.

Each example runs inside a transaction that is rolled back, so a POST that files, verifies or
ends an incident does not change what the next example sees. The number of examples per
operation comes from FUZZ_EXAMPLES (default: small enough for `make test`; `make fuzz` sets a
large one). Figures of the large run: docs/security.md, "Generated inputs"."""

import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from emergency.wsgi import application
from incidents import services
from reporting import services as reporting_services
from reporting.models import Kind
from roles.models import Unit
from tests.conftest import PASSWORD
from tests.incidents.conftest import categories, file_incident, to_state  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.django_db

# Examples per operation and role (each of positive and negative inputs drawn from one pool).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# `make test` draws the same examples each run (derandomized); `make fuzz` draws new ones.
RANDOM = os.environ.get("FUZZ_RANDOM", "") == "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def world(cast, file_incident, to_state):
    """One incident in each stage of its life, so that generated ids often name a real one:
    station1's draft, a submitted one, an active one with a measure and a progress report,
    an ended one, and station2's submitted one (outside station1's view)."""
    draft = file_incident(draft=True)
    submitted = file_incident(proposed_level=3)
    active = to_state(file_incident(proposed_level=4), "active")
    services.measure_add(actor=cast["deputy"], incident=active, title="专项检查",
                         owner_unit=Unit.objects.get(code="chengguan"),
                         due_at=timezone.now() + timedelta(days=1))
    reporting_services.report_submit(actor=cast["office"], incident=active, kind=Kind.PROGRESS_REPORT, content="续报")
    ended = to_state(file_incident(proposed_level=4), "ended")
    other = file_incident("station2")
    return [draft.pk, submitted.pk, active.pk, ended.pk, other.pk]


@contextmanager
def requests_on_this_connection():
    """Requests run in this thread, on the test's connection and inside its transaction: Django
    must not close that connection at the start and end of each request (its test client does
    the same, and connects the handlers again after each of its requests)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _token_headers(client, username) -> dict:
    """Token authentication as the role, the way an outside system signs in (api.md)."""
    response = client.post("/api/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return {"Authorization": f"Token {response.json()['token']}"}


def _exercise(case, headers, world, tally) -> None:
    """Send one generated case as the role and check the answer; what fails is recorded in
    `tally` (the run goes on, so a large run counts every violation)."""
    # Half of the generated ids are mapped onto incidents of the world (each role sees some of
    # them, not others); the other half stay as generated (mostly a 404).
    for name, value in (case.path_parameters or {}).items():
        if name in ("id", "pk") and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = world[(value // 2) % len(world)]
    tally["cases"] += 1
    with transaction.atomic():
        try:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                tally["5xx"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 — a failed check, recorded with its reproduction
            tally["violations"] += 1
            tally["failures"].setdefault(f"{case.operation.label}: {type(exc).__name__}", str(exc)[:3000])
        finally:
            transaction.set_rollback(True)  # the next example sees the same world


# The schema as the API serves it; loading it touches no table.
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.generate])


@pytest.mark.parametrize("role", ["station1", "office", "director"])
def test_the_api_under_generated_inputs(role, cast, client, world):
    """Every operation of the schema, positive and negative inputs, as the role."""
    headers = _token_headers(client, role)
    tally = {"cases": 0, "5xx": 0, "violations": 0, "failures": {}}
    for operation in OPERATIONS:
        strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
        if operation.path_parameters or operation.query or operation.body:
            strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))

        @SETTINGS
        @given(case=st.one_of(strategies))
        def run(case):
            _exercise(case, headers, world, tally)

        with requests_on_this_connection():
            run()
    print(f"\ngenerated inputs as {role}: {len(OPERATIONS)} operations, {tally['cases']} cases, "
          f"{tally['5xx']} 5xx, {tally['violations']} violations")
    assert tally["violations"] == 0, "\n\n".join(f"{k}\n{v}" for k, v in tally["failures"].items())

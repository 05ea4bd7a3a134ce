"""Generated inputs against the roster's API (/api/duty/…), more examples than the whole-API run and
with real shifts in the world, so that PUT, PATCH and DELETE reach a shift (tests/test_generated_inputs.py
holds the checks: no 5xx, every answer as the schema declares)."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from duty import roster
from roles.models import Unit
from tests.test_generated_inputs import OPERATIONS, SETTINGS, _exercise, _token_headers, requests_on_this_connection

pytestmark = pytest.mark.django_db
DUTY = [op for op in OPERATIONS if op.path.startswith("/api/duty/")]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@pytest.fixture
def shifts(cast):
    bureau = Unit.objects.get(code="bureau")
    now = timezone.now()
    made = [roster.shift_create(actor=cast["office"], bureau=bureau, starts_at=now - timedelta(hours=1),
                                ends_at=now + timedelta(hours=23), leader=cast["director"], staff=[cast["office"]]),
            roster.shift_create(actor=cast["office"], bureau=bureau, starts_at=now + timedelta(hours=23),
                                ends_at=now + timedelta(hours=47))]
    return [s.pk for s in made]


@pytest.mark.parametrize("role", ["station1", "office"])
def test_the_roster_api_under_generated_inputs(role, cast, client, shifts):
    assert {op.path for op in DUTY} == {"/api/duty/shifts/", "/api/duty/shifts/{id}/", "/api/duty/now/"}
    headers = _token_headers(client, role)
    tally = {"cases": 0, "5xx": 0, "violations": 0, "failures": {}}
    for operation in DUTY:
        strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
        if operation.path_parameters or operation.query or operation.body:
            strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(SETTINGS, max_examples=EXAMPLES)
        @given(case=st.one_of(strategies))
        def run(case):
            _exercise(case, headers, shifts, tally)

        with requests_on_this_connection():
            run()
    assert tally["cases"] > 0 and tally["violations"] == 0, "\n\n".join(f"{k}\n{v}" for k, v in tally["failures"].items())

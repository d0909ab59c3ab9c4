"""Schemathesis against /api/schema/, as each role's token: no answer is a 5xx, and every answer
(status, content type, body) is one the schema documents. Examples per operation are bounded
(ZIZHU_FUZZ_EXAMPLES, default 4) to keep the run within about three minutes of CI."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.funds.matrix import funds_objects
from zizhu.api.services import api_token_create
from zizhu.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
EXAMPLES = int(os.environ.get("ZIZHU_FUZZ_EXAMPLES", "4"))
# one user of each role: the five business roles at county 610112 or its school, the admins
ROLES = [
    "county_operator",
    "county_supervisor",
    "county_leader",
    "school_operator",
    "school_reviewer",
    "sysadmin",
    "secadmin",
    "auditor",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_world(users, settings):
    """Tokens of every role; the WSGI app is called directly, so (as Django's test client
    does) requests must not close the test's database connection."""
    settings.ZIZHU_API_RATE = 1_000_000
    funds_objects(users)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {name: api_token_create(user=users[name], name="fuzz").value for name in ROLES}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(case, fuzz_world):
    """Each generated request is sent once with every role's token."""
    for role in ROLES:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {fuzz_world[role]}"}, checks=CHECKS
        )

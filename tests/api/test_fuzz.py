"""Fuzzing: schemathesis generates requests from the OpenAPI schema and sends them to the
Django WSGI app as a plan liaison. No operation may answer 5xx or break its documented schema
(status codes, content types, headers and bodies). Examples per operation are bounded so the
whole run stays well under two minutes.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance, status_code_conformance,
)

from django.core import signals
from django.db import close_old_connections

from carecoord.accounts.services import api_token_issue
from tests.factories import CaseFactory, CoverageFactory, MemberFactory

MAX_EXAMPLES = 8


@pytest.fixture
def liaison_token(liaison_x, case_a, case_b, plan_x, county_a, program_a):
    # A few more of plan X's members and cases so list operations return real rows.
    for program in ("ecm", "dmc_ods"):
        member = MemberFactory(county=county_a)
        CoverageFactory(member=member, plan=plan_x)
        CaseFactory(member=member, organization=program_a, program=program, asam_level="3.1" if program == "dmc_ods" else "")
    return api_token_issue(user=liaison_x, name="fuzz")[1]


def load_schema():
    """The schema the API serves, generated in process (no database needed), sent to the WSGI app."""
    from drf_spectacular.generators import SchemaGenerator

    from carecoord.wsgi import application

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = application
    # Random generation (bounded by MAX_EXAMPLES) plus the documented examples; the exhaustive
    # boundary-value "coverage" phase would multiply the run time for little more.
    loaded.config.phases.coverage.enabled = False
    return loaded


@pytest.fixture(autouse=True)
def keep_test_connection_open():
    """As Django's test client does: a request must not close the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = load_schema()


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_answers_within_its_schema_as_a_liaison(case, liaison_token, db):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {liaison_token}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
                response_schema_conformance],
    )

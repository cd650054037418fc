"""A read replica for reports: with one configured, the dashboards and the tracking-list export read there.

The replica here is a second, separate connection to the test database (as a streaming replica is a
second server with the same rows): what the reports read must arrive through it, and the writes they
make (the access log) must stay on the primary.
"""
import copy
import json
import os
import subprocess
import sys

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import ROOT, requires_postgres
from tests.factories import CoverageFactory

from .conftest import END, START


@pytest.fixture(scope="module")
def reports_replica(django_db_setup, django_db_blocker):
    # Module-scoped so that the alias exists before each test's database access is set up (a test may
    # only use the aliases it names). django.conf.settings.DATABASES is the connection handler's own
    # mapping: adding the alias there is what REPORTS_DATABASE_URL does at start-up.
    from django.conf import settings

    replica = copy.deepcopy(connections["default"].settings_dict)
    replica["TEST"] = {**replica.get("TEST", {}), "MIRROR": "default"}  # flushed with default, not twice
    settings.DATABASES["reports"] = replica
    yield connections["reports"]
    with django_db_blocker.unblock():
        connections["reports"].close()
    del settings.DATABASES["reports"]
    del connections["reports"]


def _tables_read(queries) -> str:
    return " ".join(q["sql"] for q in queries if "SELECT" in q["sql"])


@requires_postgres()
@pytest.mark.django_db(transaction=True, databases=["default", "reports"])
def test_the_dashboard_reads_its_figures_from_the_replica(client, known, reports_replica):
    client.force_login(known.supervisor_a)
    with CaptureQueriesContext(reports_replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
        response = client.get(reverse("dashboard"), {"start": START.isoformat(), "end": END.isoformat()})
    assert response.status_code == 200 and "Below target" in response.content.decode()
    assert '"clocks_deadline"' in _tables_read(on_replica.captured_queries)
    assert '"clocks_deadline"' not in _tables_read(on_primary.captured_queries)


@requires_postgres()
@pytest.mark.django_db(transaction=True, databases=["default", "reports"])
def test_the_tracking_list_export_reads_from_the_replica_and_audits_on_the_primary(known, plan_x, reports_replica):
    CoverageFactory(member=known.case_1.member, plan=plan_x)
    client = APIClient()
    client.force_authenticate(known.supervisor_a)
    with CaptureQueriesContext(reports_replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
        response = client.get("/api/tracking-list.csv", {"plan": plan_x.pk})
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and known.case_1.member.last_name in body
    assert '"cases_case"' in _tables_read(on_replica.captured_queries)
    assert not any(q["sql"].startswith("INSERT") for q in on_replica.captured_queries)
    assert any('INSERT INTO "audit_accessevent"' in q["sql"] for q in on_primary.captured_queries)


def test_reports_database_url_adds_the_replica_with_the_web_connection_options():
    # Settings are read once at start-up: a fresh process with the variable set shows what it configures.
    script = ("import json, django; django.setup(); from django.conf import settings; "
              "print(json.dumps({alias: [db['HOST'], db['NAME'], db.get('OPTIONS', {}).get('options')] "
              "for alias, db in settings.DATABASES.items()}))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "carecoord.settings.dev",
           "DATABASE_URL": "postgres://app@primary.internal:5432/carecoord",
           "REPORTS_DATABASE_URL": "postgres://reader@replica.internal:5432/carecoord"}
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    databases = json.loads(out.stdout.strip().splitlines()[-1])
    assert databases["reports"][:2] == ["replica.internal", "carecoord"]
    assert databases["default"][0] == "primary.internal"
    assert "jit=off" in databases["reports"][2]

"""The API's conventions: token authentication and its admin, throttling, the error shape, the docs page."""
import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from carecoord.accounts.models import ApiToken
from carecoord.accounts.services import api_token_issue, api_token_revoke
from carecoord.api.throttling import PerTokenRateThrottle
from carecoord.middleware import CONTENT_SECURITY_POLICY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_no_token_bad_token_and_revoked_token_are_401_in_the_error_shape(liaison_x, case_a):
    assert APIClient().get("/api/members/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer cc_not-a-token")
    response = client.get("/api/members/")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"field": "__all__", "rule": "authentication_failed",
                                           "message": "Invalid or revoked token."}]}
    token, raw = api_token_issue(user=liaison_x, name="to revoke")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/members/").status_code == 200
    api_token_revoke(token=token)
    assert client.get("/api/members/").status_code == 401


def test_admin_issues_a_token_shown_once_and_stores_only_its_digest(liaison_x):
    # Given an administrator in the admin
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, role="administrator", organization=None)
    browser = Client()
    browser.force_login(admin)
    # When they add a token for the liaison
    response = browser.post("/admin/accounts/apitoken/add/", {"user": liaison_x.pk, "name": "claims feed"}, follow=True)
    # Then the page shows the raw token once, and only its SHA-256 digest is stored
    raw = re.search(r"(cc_[A-Za-z0-9_\-]{20,})", response.content.decode()).group(1)
    token = ApiToken.objects.get(name="claims feed")
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest() and token.user == liaison_x
    assert raw not in str(ApiToken.objects.values_list().get(pk=token.pk))
    assert raw not in browser.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    # And the token works
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/members/").status_code == 200


def test_issue_api_token_command_prints_a_working_token_once(liaison_x):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "liaison_x", "demo", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("cc_") and "not shown again" in err.getvalue()
    assert ApiToken.objects.get(name="demo").digest == hashlib.sha256(raw.encode()).hexdigest()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/members/").status_code == 200


def test_throttle_per_token_answers_429_in_the_error_shape(liaison_client, liaison_x, monkeypatch):
    # Given a limit of 3 requests a minute per token
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    from django.core.cache import cache

    cache.clear()
    # When the token makes a 4th request
    statuses = [liaison_client.get("/api/members/").status_code for _ in range(4)]
    # Then it is refused with 429, Retry-After and the error shape
    assert statuses == [200, 200, 200, 429]
    response = liaison_client.get("/api/members/")
    assert int(response["Retry-After"]) > 0
    assert response.json()["errors"][0]["rule"] == "throttled"
    # While another token of the same user has its own budget
    from tests.api.conftest import bearer_client

    assert bearer_client(liaison_x).get("/api/members/").status_code == 200


def test_nested_and_unknown_url_errors_keep_the_shape(liaison_client):
    response = liaison_client.post("/api/webhooks/endpoints/", {"url": "https://plan.example/h", "events": ["nope"]},
                                   format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "events.0"
    for path in ("/api/nowhere/", "/api/cases/0.5/", "/api/fhir/Patient/1/extra"):
        missing = liaison_client.get(path)
        assert missing.status_code == 404 and missing.json()["errors"][0]["rule"] == "not_found"
    cursor = liaison_client.get("/api/members/", {"cursor": "garbage"})
    assert cursor.status_code == 400 and cursor.json()["errors"][0]["field"] == "cursor"


def test_docs_page_is_self_hosted_under_the_strict_csp():
    # The docs page and its start-up script are public and carry the site's CSP (no inline script or style)
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html and "http" not in html.replace("http-equiv", "")
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in scripts)
    for url in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        response = client.get(url)
        assert response.status_code == 200, url
    init = client.get([s for s in scripts if "script" in s.split("?")[-1]][0])
    assert init["Content-Type"].startswith("application/javascript") and b"SwaggerUIBundle" in init.content
    schema = client.get("/api/schema/?format=json").json()
    assert "Getting started" in schema["info"]["description"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "Errors" in schema["components"]["schemas"]


@pytest.mark.django_db
def test_every_operation_documents_an_example_of_its_answer_or_request(client):
    # The schema as served (what a plan's developer reads on the docs page)
    schema = client.get("/api/schema/?format=json").json()
    operations = [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()
                  if method in ("get", "post", "put", "patch", "delete")]
    assert len(operations) >= 40

    def has_example(content: dict) -> bool:
        return any(media.get("examples") or media.get("example") for media in (content or {}).values())

    without = [f"{method.upper()} {path}" for method, path, op in operations
               if not has_example(op.get("requestBody", {}).get("content"))
               and not any(has_example(answer.get("content")) for code, answer in op["responses"].items()
                           if str(code).startswith("2"))]
    assert without == []

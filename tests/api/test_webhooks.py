"""Webhooks: a plan registers an HTTPS endpoint; a notice sent to the plan is delivered signed,
retried after a failure through the outbox, and visible in the deliveries list.

The receiver is a real HTTPS server in a thread (self-signed certificate that the
test trusts through REQUESTS_CA_BUNDLE); the dispatcher is the real outbox one.
"""
import datetime
import hashlib
import hmac
import http.server
import json
import ssl
import subprocess
import threading

import pytest
from django.utils import timezone

from carecoord.api.models import WebhookDelivery, WebhookEndpoint
from carecoord.api.services import private_host_reason, webhook_endpoint_register
from carecoord.clocks.outbox import outbox_dispatch_pending
from carecoord.errors import RuleViolation
from notices.services import notice_create, notice_mark_delivered
from tests.api.conftest import bearer_client
from tests.factories import LiaisonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


class Receiver:
    """An HTTPS endpoint that records every POST and answers 500 to the first ``fail_first``."""

    def __init__(self, cert, key, fail_first: int = 0):
        self.requests: list[dict] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                failing = len(receiver.requests) < receiver.fail_first
                receiver.requests.append({"headers": dict(self.headers), "body": body, "status": 500 if failing else 204})
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://localhost:{self.server.server_address[1]}/hooks/carecoord"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def accepted(self):
        return [r for r in self.requests if r["status"] < 300]


@pytest.fixture
def trust_receiver(tls_files, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_files[0]))
    return tls_files


def register(client, url):
    response = client.post("/api/webhooks/endpoints/", {"url": url, "events": ["notice.sent"]}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def send_notice_to_plan(case, plan, by):
    notice = notice_create(kind="eligibility_outcome_to_plan", member=case.member, case=case, recipient_kind="plan",
                           recipient_org=plan, channel="portal", created_by=by)
    # Posting to the plan portal is logged as delivered: that is when notice_sent fires.
    return notice_mark_delivered(notice=notice, by=by, detail="Posted to the plan portal")


def verify(secret: str, header: str, body: bytes) -> bool:
    """What the docs page tells a plan to do, written independently of our signing code."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(timezone.now().timestamp() - int(parts["t"])) < 300


def test_delivery_retried_after_a_failure_arrives_once_with_a_valid_signature(trust_receiver, liaison_x, case_a,
                                                                               plan_x, manager_a):
    client = bearer_client(liaison_x)
    with Receiver(*trust_receiver, fail_first=1) as receiver:
        # Given plan X registered an endpoint that fails its first request
        endpoint = register(client, receiver.url)
        # When the county sends plan X a notice and the outbox dispatches
        notice = send_notice_to_plan(case_a, plan_x, manager_a)
        outbox_dispatch_pending()
        # Then the first attempt failed and is visible with the next retry time
        assert len(receiver.requests) == 1
        failed = client.get("/api/webhooks/deliveries/", {"status": "pending"}).json()["results"]
        assert len(failed) == 1 and failed[0]["attempts"] == 1
        assert "HTTP 500" in failed[0]["last_error"] and failed[0]["next_attempt_at"]
        # When the backoff has passed (dispatch twice more: the second finds nothing left to send)
        later = timezone.now() + datetime.timedelta(minutes=5)
        outbox_dispatch_pending(now=later)
        outbox_dispatch_pending(now=later + datetime.timedelta(hours=2))
    # Then the plan accepted it exactly once, signed with its secret, about that notice
    assert len(receiver.requests) == 2 and len(receiver.accepted) == 1
    request = receiver.accepted[0]
    assert verify(endpoint["secret"], request["headers"]["Carecoord-Signature"], request["body"])
    assert not verify("whsec_wrong", request["headers"]["Carecoord-Signature"], request["body"])
    body = json.loads(request["body"])
    assert body["type"] == "notice.sent" and body["data"]["notice"]["id"] == notice.pk
    assert request["headers"]["Carecoord-Delivery"] == body["id"] == receiver.requests[0]["headers"]["Carecoord-Delivery"]
    # And the delivery shows as delivered
    delivered = client.get(f"/api/webhooks/deliveries/{body['id']}/").json()
    assert delivered["status"] == "delivered" and delivered["attempts"] == 2 and delivered["response_status"] == 204


def test_endpoint_must_be_https_and_the_secret_is_shown_once(liaison_client):
    refused = liaison_client.post("/api/webhooks/endpoints/", {"url": "http://plan.example/hook"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "url"
    assert not WebhookEndpoint.objects.exists()
    created = register(liaison_client, "https://plan.example/hook")
    assert created["secret"].startswith("whsec_")
    assert "secret" not in liaison_client.get(f"/api/webhooks/endpoints/{created['id']}/").json()


def test_plans_see_only_their_own_endpoints_and_deliveries(liaison_client, liaison_x, plan_y, case_a, plan_x, manager_a):
    endpoint = register(liaison_client, "https://plan-x.example/hook")
    send_notice_to_plan(case_a, plan_x, manager_a)
    delivery = WebhookDelivery.objects.get(endpoint_id=endpoint["id"])
    other = bearer_client(LiaisonFactory(organization=plan_y))
    assert other.get(f"/api/webhooks/endpoints/{endpoint['id']}/").status_code == 404
    assert other.get(f"/api/webhooks/deliveries/{delivery.pk}/").status_code == 404
    assert other.get("/api/webhooks/deliveries/").json()["results"] == []
    # A paused endpoint receives nothing new
    liaison_client.patch(f"/api/webhooks/endpoints/{endpoint['id']}/", {"active": False}, format="json")
    assert WebhookEndpoint.objects.get(pk=endpoint["id"]).active is False


def test_a_notice_to_another_plan_is_not_delivered_to_this_one(liaison_client, case_b, plan_y, program_b):
    register(liaison_client, "https://plan-x.example/hook")
    from tests.factories import UserFactory

    send_notice_to_plan(case_b, plan_y, UserFactory(organization=program_b))
    assert not WebhookDelivery.objects.exists()


def test_ping_sends_a_signed_test_event_to_the_endpoint(trust_receiver, liaison_client):
    with Receiver(*trust_receiver) as receiver:
        endpoint = register(liaison_client, receiver.url)
        queued = liaison_client.post(f"/api/webhooks/endpoints/{endpoint['id']}/ping/")
        assert queued.status_code == 202 and queued.json()["event"] == "ping"
        outbox_dispatch_pending()
    request = receiver.accepted[0]
    assert json.loads(request["body"])["type"] == "ping"
    assert verify(endpoint["secret"], request["headers"]["Carecoord-Signature"], request["body"])
    assert liaison_client.get(f"/api/webhooks/deliveries/{queued.json()['id']}/").json()["status"] == "delivered"


@pytest.mark.parametrize("url", ["https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/hook",
                                 "https://169.254.169.254/latest", "https://localhost/hook"])
@pytest.mark.django_db
def test_endpoints_on_private_addresses_are_refused(url, plan_x, settings):
    # given production's rule: webhooks only go to the public internet
    settings.CARECOORD = {**settings.CARECOORD, "WEBHOOK_ALLOW_PRIVATE_HOSTS": False}
    # when a plan registers an endpoint on a private, loopback or metadata address
    with pytest.raises(RuleViolation) as exc:
        webhook_endpoint_register(plan=plan_x, url=url, events=["notice.sent"])
    # then it is refused naming the field and nothing is written
    assert (exc.value.field, exc.value.rule) == ("url", "webhook.public_host")
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_public_addresses_are_accepted_and_names_judged_at_delivery(plan_x, settings):
    settings.CARECOORD = {**settings.CARECOORD, "WEBHOOK_ALLOW_PRIVATE_HOSTS": False}
    assert webhook_endpoint_register(plan=plan_x, url="https://93.184.216.34/hook", events=["notice.sent"]).pk
    assert private_host_reason("https://plan.example/hook", resolve=False) == ""
    assert "cannot be resolved" in private_host_reason("https://no-such-host.invalid/hook", resolve=True)


def test_a_plan_hears_when_its_members_case_changes_status_and_of_sud_cases_only_under_part2(
        liaison_x, plan_x, plan_y, county_a, case_a, manager_a):
    from cases.services import case_change_status
    from consents.models import ConsentKind, Disclosure
    from tests.consents.factories import make_consent
    from tests.factories import CaseFactory, CoverageFactory, MemberFactory, OrganizationFactory

    client = bearer_client(liaison_x)
    response = client.post("/api/webhooks/endpoints/", {"url": "https://hooks.plan-x.example/carecoord",
                                                        "events": ["case.status_changed"]}, format="json")
    assert response.status_code == 201, response.json()

    def pushed():
        return [d.payload["data"]["case"] for d in WebhookDelivery.objects.filter(event="case.status_changed").order_by("created_at")]

    # When plan X's member's CCS case closes, the plan is told, with the reason
    case_change_status(case=case_a, status="closed", reason="Moved out of state", actor=manager_a)
    assert pushed() == [{"id": case_a.pk, "program": "ccs", "status": "closed", "previous_status": "open",
                         "changed_at": pushed()[0]["changed_at"], "closed_reason": "Moved out of state"}]
    # A member of plan Y: nothing for plan X
    other = MemberFactory(county=county_a)
    CoverageFactory(member=other, plan=plan_y)
    case_change_status(case=CaseFactory(member=other, status="referred"), status="open", actor=manager_a)
    assert len(pushed()) == 1
    # A DMC-ODS case of a plan X member: not without a Part 2 consent naming plan X
    member = MemberFactory(county=county_a)
    CoverageFactory(member=member, plan=plan_x)
    dmc = CaseFactory(member=member, program="dmc_ods", status="referred", primary_case_manager=manager_a,
                      organization=OrganizationFactory(name="County DMC-ODS", type="dmc_ods_provider", county=county_a))
    case_change_status(case=dmc, status="open", actor=manager_a)
    assert len(pushed()) == 1 and not Disclosure.objects.exists()
    # With one, it is pushed and the push is in the accounting of disclosures
    make_consent(ConsentKind.PART2, member=member, recorded_by=manager_a, recipients=[plan_x])
    case_change_status(case=dmc, status="closed", reason="Completed treatment", actor=manager_a)
    assert [c["id"] for c in pushed()] == [case_a.pk, dmc.pk]
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == plan_x and disclosure.categories == ["sud"] and disclosure.case == dmc

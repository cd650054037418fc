"""Sign-in: throttling after repeated failures, the optional TOTP step, audit of every
login, logout and failure, idle timeout and password rules."""
import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from carecoord.audit import totp
from carecoord.audit.models import AccessEvent, TwoFactorDevice
from tests.conftest import redis_cache_url
from tests.factories import SupervisorFactory, UserFactory

PASSWORD = "correct-horse-battery"
LOGIN = "/accounts/login/"


def _fail(client, username, times):
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "not-the-password"})
        assert response.status_code == 200


@pytest.mark.django_db
def test_throttling_locks_after_the_set_number_of_failures(client):
    # Given a user and the configured limit of failures
    user = UserFactory(username="worker")
    limit = settings.CARECOORD["LOGIN_FAILURE_LIMIT"]
    # When the password is wrong that many times from one address
    _fail(client, "worker", limit)
    # Then even the right password is refused, with the lockout message, and no session starts
    response = client.post(LOGIN, {"username": "worker", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # And the attempts are in the audit trail
    assert AccessEvent.objects.filter(action="login_failed", username="worker").count() == limit
    assert AccessEvent.objects.filter(action="locked_out", username="worker").exists()
    assert not AccessEvent.objects.filter(action="login", user=user).exists()


@pytest.mark.django_db
def test_one_failure_fewer_than_the_limit_still_signs_in(client):
    user = UserFactory(username="worker")
    _fail(client, "worker", settings.CARECOORD["LOGIN_FAILURE_LIMIT"] - 1)
    response = client.post(LOGIN, {"username": "worker", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_lockout_is_per_address_and_ends_after_the_lockout_period(client):
    UserFactory(username="worker")
    _fail(client, "worker", settings.CARECOORD["LOGIN_FAILURE_LIMIT"])
    # Another address is not locked out
    other = client.post(LOGIN, {"username": "worker", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302
    client.logout()
    # After the lockout period the first address may sign in again
    minutes = settings.CARECOORD["LOGIN_LOCKOUT_MINUTES"]
    from datetime import timedelta

    from django.utils import timezone
    from carecoord.audit.auth import lockout_remaining

    assert lockout_remaining(username="worker", ip="127.0.0.1")
    assert lockout_remaining(username="worker", ip="127.0.0.1",
                             now=timezone.now() + timedelta(minutes=minutes, seconds=1)) is None


@pytest.mark.django_db
def test_admin_login_is_throttled_too(client):
    SupervisorFactory(username="boss")
    _fail(client, "boss", settings.CARECOORD["LOGIN_FAILURE_LIMIT"])
    client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_and_logout_are_audited(client):
    user = UserFactory(username="worker")
    client.post(LOGIN, {"username": "worker", "password": PASSWORD}, HTTP_USER_AGENT="Firefox")
    client.post("/accounts/logout/")
    login, logout = AccessEvent.objects.filter(user=user).order_by("seq")
    assert (login.action, logout.action) == ("login", "logout")
    assert login.user_agent == "Firefox" and login.ip_address == "127.0.0.1"


def test_rfc6238_test_vector():
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", 8 digits
    key = b"12345678901234567890"
    assert totp.hotp(key, 59 // 30, digits=8) == "94287082"
    assert totp.hotp(key, 1111111109 // 30, digits=8) == "07081804"
    assert totp.hotp(key, 2000000000 // 30, digits=8) == "69279037"


@pytest.mark.django_db
def test_supervisor_with_two_factor_needs_a_code_and_a_code_works_once(client):
    # Given a supervisor who set up an authenticator
    supervisor = SupervisorFactory(username="boss")
    client.force_login(supervisor)
    page = client.get("/accounts/two-factor/")
    secret = client.session["audit_two_factor_secret"]
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page.content.decode()
    client.post("/accounts/two-factor/", {"code": totp.code_at(secret)})
    assert TwoFactorDevice.objects.filter(user=supervisor).exists()
    client.logout()
    # When they sign in with the password, then no session starts yet
    response = client.post(LOGIN, {"username": "boss", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session
    # A wrong code is a failed sign-in
    client.post("/accounts/login/verify/", {"code": "000000" if totp.code_at(secret) != "000000" else "111111"})
    assert "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(action="login_failed", username="boss").exists()
    # A code of a later step (not yet used) signs in
    code = totp.code_at(secret, time.time() + 30)
    response = client.post("/accounts/login/verify/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(supervisor.pk)
    # And the same code cannot be replayed
    client.logout()
    client.post(LOGIN, {"username": "boss", "password": PASSWORD})
    client.post("/accounts/login/verify/", {"code": code})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_case_managers_are_not_offered_two_factor(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/two-factor/").status_code == 403


def test_idle_timeout_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS == 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def _session_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date


@pytest.mark.django_db
def test_use_pushes_the_session_expiry_on_at_most_once_a_refresh_interval(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200  # first use: the refresh time is stamped
    stamped = _session_expiry(client)
    time.sleep(0.05)
    with override_settings(SESSION_REFRESH_SECONDS=60):
        assert client.get("/").status_code == 200
    assert _session_expiry(client) == stamped  # within the minute: no session write
    with override_settings(SESSION_REFRESH_SECONDS=0):
        assert client.get("/").status_code == 200
    assert _session_expiry(client) > stamped  # past it: the idle timeout counts from now


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_AGE=1)
def test_idle_session_expires(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200
    time.sleep(2)
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_with_the_redis_cache_sessions_are_read_from_it_and_a_logout_ends_them_everywhere():
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = UserFactory()
    # Given production's session set-up: the shared Redis cache in front of the session table
    with override_settings(CACHES={"default": {"BACKEND": "carecoord.cache.RedisCache", "LOCATION": redis_cache_url()}},
                           SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        browser = Client()
        browser.force_login(user)
        assert browser.get("/").status_code == 200
        key = browser.cookies[settings.SESSION_COOKIE_NAME].value
        # When the signed-in user opens a page, the session is read from Redis, not from the table
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/").status_code == 200
        assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
        # A Redis restart logs nobody out: the session is still in the table
        cache.delete(KEY_PREFIX + key)
        assert browser.get("/").status_code == 200
        # The same session in another server process (another client with the cookie) is signed in too
        other_process = Client()
        other_process.cookies[settings.SESSION_COOKIE_NAME] = key
        assert other_process.get("/").status_code == 200
        # And a logout in one ends it in both: gone from Redis and from the table
        browser.post("/accounts/logout/")
        assert cache.get(KEY_PREFIX + key) is None
        assert not Session.objects.filter(session_key=key).exists()
        assert other_process.get("/").status_code == 302


@pytest.mark.parametrize("password", ["short-1", "password1234", "12345678901234", "worker-worker"])
def test_weak_passwords_are_refused(password):
    from carecoord.accounts.models import User

    with pytest.raises(ValidationError):
        validate_password(password, user=User(username="worker-worker", email="w@example.org"))


def test_a_long_passphrase_is_accepted():
    # validate_password raises ValidationError for a refused password; a passphrase passes every validator
    assert validate_password("plum-harbor-seventeen-lanterns") is None

"""Production settings pass Django's deployment checks; the Content Security Policy allows no
inline script; uploads are checked by content and size and served only after an access check."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from carecoord.errors import RuleViolation
from cases.documents import document_upload
from cases.models import Document
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "carecoord.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "carecoord.example.org",
            "CACHE_URL": "redis://127.0.0.1:6379/1", **overrides}


def _production_settings(code: str, **overrides) -> subprocess.CompletedProcess:
    """Run ``code`` in a process started on the production settings (each process reads them once)."""
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                          env=_production_env(**overrides), capture_output=True, text=True, timeout=120)


def _production_check(*extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", *extra], cwd=ROOT, env=_production_env(),
                          capture_output=True, text=True, timeout=300)


def test_production_passes_the_deployment_security_checks():
    # Given the production settings with a real secret, when Django's deployment checks run
    result = _production_check()
    output = result.stdout + result.stderr
    # Then none of Django's security checks complains (HTTPS redirect, HSTS, secure cookies, ...)
    assert not re.findall(r"\(security\.\w+\)", output), output
    assert "SystemCheckError" not in output or "(security." not in output


def test_production_settings_harden_cookies_and_transport():
    code = ("from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000,"
            " s.SESSION_COOKIE_HTTPONLY, s.DEBUG, s.SESSION_COOKIE_AGE)")
    result = _production_settings(code)
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False", "1800"], result.stderr


def test_production_shares_rate_limits_and_sessions_through_redis():
    # Given CACHE_URL naming Redis, every server process uses it for the cache and reads sessions from it
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)"
    result = _production_settings(code)
    assert result.stdout.split() == ["carecoord.cache.RedisCache",
                                     "django.contrib.sessions.backends.cached_db"], result.stderr
    # Without it, or with a per-process cache, production refuses to start and says what to set
    for cache_url in ("", "locmemcache://"):
        refused = _production_settings(code, CACHE_URL=cache_url)
        assert refused.returncode != 0
        assert "CACHE_URL must name a Redis database" in refused.stderr


@pytest.mark.django_db
def test_csp_header_forbids_inline_scripts(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE_BLOCK = re.compile(r"<style[\s>]", re.IGNORECASE)
DJANGO_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


def _templates():
    dirs = [ROOT / "templates"] + [p for p in ROOT.glob("*/templates") if ".venv" not in str(p)]
    dirs += [p for p in (ROOT / "carecoord").glob("*/templates")]
    for directory in dirs:
        yield from directory.rglob("*.html")


def test_no_template_has_inline_script_or_event_handlers():
    # The API docs page (Swagger UI) is exempt in the middleware and bootstraps itself.
    offenders = []
    for path in _templates():
        if "drf_spectacular" in str(path) or path.parent.name == "api" and "docs" in path.name:
            continue
        text = DJANGO_COMMENT.sub("", path.read_text(errors="ignore"))
        for pattern, what in ((INLINE_SCRIPT, "inline <script>"), (INLINE_HANDLER, "inline on* handler"),
                              (INLINE_STYLE_BLOCK, "inline <style>")):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {what}")
    assert not offenders, "The CSP blocks these:\n  " + "\n  ".join(offenders)


@pytest.mark.django_db
def test_rendered_pages_carry_no_inline_script(client, case_a, manager_a):
    client.force_login(manager_a)
    for url in ("/", "/members/", f"/cases/{case_a.pk}/", f"/members/{case_a.member_id}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not INLINE_SCRIPT.search(response.content.decode()), url
        assert "Content-Security-Policy" in response


# ---------------------------------------------------------------- uploads

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


def test_an_upload_is_refused_by_its_bytes_not_its_name(case_a, manager_a):
    # Given an executable named and labelled as a PDF
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    # When uploaded, then it is refused naming the rule, and nothing is stored
    with pytest.raises(RuleViolation) as error:
        document_upload(uploaded_file=fake, kind="medical_report", case=case_a, uploaded_by=manager_a)
    assert (error.value.field, error.value.rule) == ("file", "upload.content_type")
    assert not Document.objects.exists()


@override_settings(CARECOORD={**settings.CARECOORD, "UPLOAD_MAX_BYTES": 1024})
def test_an_oversize_upload_is_refused(case_a, manager_a):
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    with pytest.raises(RuleViolation) as error:
        document_upload(uploaded_file=big, kind="medical_report", case=case_a, uploaded_by=manager_a)
    assert (error.value.field, error.value.rule) == ("file", "upload.max_size")
    assert not Document.objects.exists()


def test_documents_are_served_only_through_the_access_checked_view(client, case_a, manager_a, program_b,
                                                                   tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    document = document_upload(uploaded_file=SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf"),
                               kind="medical_report", case=case_a, uploaded_by=manager_a)
    # No URL serves media directly
    assert settings.MEDIA_URL is None
    # Someone outside the case gets a 404 and not the bytes
    client.force_login(UserFactory(organization=program_b))
    refused = client.get(f"/documents/{document.pk}/")
    assert refused.status_code == 404
    # The case manager gets the file as an attachment, not cached, and the download is audited
    client.force_login(manager_a)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    from carecoord.audit.models import AccessEvent

    downloads = AccessEvent.objects.filter(user=manager_a, action="download")
    assert any(["cases.document", document.pk] in event.records for event in downloads)


# ---------------------------------------------------------------- admin

def test_the_admin_shows_staff_only_their_members_and_audits_it(client, case_a, case_b, supervisor_a):
    from carecoord.accounts.services import user_set_role
    from carecoord.audit.models import AccessEvent

    # Given a supervisor (staff, with the role's case permissions in the admin), and names that cannot occur
    # elsewhere on the page by chance (generated surnames such as "Lee" can)
    for case, name in ((case_a, "Aardvarkson"), (case_b, "Zebedeeson")):
        case.member.last_name = name
        case.member.save(update_fields=["last_name"])
    user_set_role(user=supervisor_a, role="supervisor")
    client.force_login(supervisor_a)
    # The case list holds only their organization's cases, and the list is audited
    listing = client.get("/admin/cases/case/")
    body = listing.content.decode()
    assert listing.status_code == 200
    assert case_a.member.last_name in body and case_b.member.last_name not in body
    assert AccessEvent.objects.filter(user=supervisor_a, action="list", members=[case_a.member_id]).exists()
    # Another organization's case cannot be opened, its history neither
    assert client.get(f"/admin/cases/case/{case_b.pk}/change/").status_code == 302
    history = case_b.history.first()
    assert client.get(f"/admin/cases/case/{case_b.pk}/history/{history.history_id}/").status_code == 403
    # Their own case opens and is audited
    assert client.get(f"/admin/cases/case/{case_a.pk}/change/").status_code == 200
    assert AccessEvent.objects.filter(user=supervisor_a, action="view", members=[case_a.member_id]).exists()

"""Every link and form the app shows a demo user works for them.

Each role signs in to the demo data and follows, breadth first from the home page, the links
(``href`` and htmx ``hx-get``) the pages render. A link the app itself offers must not end in an
error page, a "not found" or a "forbidden": a broken link is a dead end in someone's working day.
Then each form those pages offer is sent as shown, untouched: it must answer with what is missing,
or do what its button says, and never refuse the user it was offered to. Pages of one kind
(``/cases/12/`` and ``/cases/15/``) are visited once, so the walk is bounded by the number of kinds
of page, not by the data.
"""
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from carecoord.accounts.models import User

# Links that change state on GET are not links a walk may follow (there are none, by design:
# writes are POST), but signing out would end the walk.
SKIP = re.compile(r"^/(accounts/logout|logout|static/|media/|api/docs|api/schema|api/redoc)")
MAX_PAGES_PER_ROLE = 80


# Forms that end the walk's session or only switch the language.
SKIP_FORMS = re.compile(r"/(accounts/logout|logout|i18n)/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            value = attrs.get(name)
            if value and (tag == "a" or name == "hx-get"):
                self.links.append(value)


class _PostForms(HTMLParser):
    """The POST forms of a page: where each goes and its hidden fields, as a browser would send it untouched."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action")
            post = "hx-post" in attrs or (attrs.get("method") or "").lower() == "post"
            self._open = {"action": action, "fields": {}} if post and action else None
            if self._open:
                self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attrs.get("type") == "hidden" and attrs.get("name"):
            self._open["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def _kind(path: str) -> str:
    """A page's kind: its path with every number as N, and the query's names without values."""
    parts = urlsplit(path)
    names = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(names) if names else "")


def _same_site_links(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for link in parser.links:
        target = urlsplit(urljoin(page_url, link.split("#", 1)[0]))
        if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
            continue
        path = target.path + (f"?{target.query}" if target.query else "")
        if path and not SKIP.match(path):
            found.append(path)
    return found


def walk(client, *, start: str = "/", limit: int = MAX_PAGES_PER_ROLE):
    """Visit the pages reachable from ``start``; the (page, status, linked from) of each one visited."""
    seen_kinds = {_kind(start)}
    queue = deque([(start, None)])
    visited = []
    while queue and len(visited) < limit:
        path, source = queue.popleft()
        response = client.get(path)
        visited.append((path, response.status_code, source))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in _same_site_links(path, response.content.decode()):
            kind = _kind(link)
            if kind not in seen_kinds:
                seen_kinds.add(kind)
                queue.append((link, path))
    return visited


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0)


# What each role's working day starts from: staff and liaisons reach a case from the menu; an
# administrator, who sees no member data, reaches the access audit.
ROLE_REACHES = {"nurse": "/cases/N/", "consultant": "/cases/N/", "supervisor": "/cases/N/", "ecm": "/cases/N/",
                "ecm_supervisor": "/cases/N/", "sw": "/cases/N/", "dmc": "/cases/N/", "dmc_supervisor": "/cases/N/",
                "liaison": "/cases/N/", "admin": "/audit/"}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLE_REACHES)
def test_every_page_a_role_is_shown_a_link_to_opens(client, demo, username):
    user = User.objects.get(username=username)
    client.force_login(user)

    visited = walk(client)

    broken = [f"{path} -> {status} (linked from {source})" for path, status, source in visited
              if status not in (200, 302)]
    assert not broken, "\n".join(broken)
    assert ROLE_REACHES[username] in {_kind(path) for path, status, _ in visited if status == 200}, visited


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLE_REACHES)
def test_every_form_a_role_is_shown_answers_an_untouched_submission(client, demo, username):
    client.force_login(User.objects.get(username=username))
    pages = [path for path, status, _ in walk(client) if status == 200]

    answered, seen = [], set()
    for page in pages:
        response = client.get(page)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _PostForms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            target = urljoin(page, form["action"])
            if SKIP_FORMS.search(target) or _kind(target) in seen:
                continue
            seen.add(_kind(target))
            answer = client.post(target, form["fields"])
            body = answer.content.decode(errors="replace") if "text/html" in answer.get("Content-Type", "") else ""
            answered.append((target, answer.status_code, page))
            # A form sent with nothing filled in either needed nothing (a button: done, then redirected)
            # or names what is missing next to its field.
            assert answer.status_code in (200, 302, 400), f"{target} -> {answer.status_code} (offered on {page})"
            if answer.status_code != 302:
                assert "errorlist" in body, f"{target} -> {answer.status_code} without naming what is missing (offered on {page})"
    # Staff are offered the forms of their work; the walk reached them.
    if username not in ("liaison", "admin"):
        assert answered, pages

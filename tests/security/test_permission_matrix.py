"""The permission matrix: every role × every URL pattern (browser, admin and /api/) × objects
inside and outside the user's scope.

Fails when any response shows a member the user may not see (name or CIN in the body), when
an object outside the user's scope is answered with anything but a refusal (GET: 302/401/
403/404/405; POST: 401/403/404/405), when an anonymous request reaches a non-public page,
when a page errors (a 500 hides what it would have shown), and when a URL pattern exists
that the matrix does not classify (see tests/security/matrix.py to add one).
"""
import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from cases.selectors import member_list_visible_to

from .matrix import ALL_ROLES, IN_NAMES, OUT_NAMES, ROUTES, Lit, R, World, admin_model, classify, walk

DENIED_GET = {302, 401, 403, 404, 405}
DENIED_POST = {401, 403, 404, 405}
MISSING = 999999999
ARG = "__arg"


def test_every_url_is_classified():
    unclassified = [f"{name or '(unnamed)'}  ->  /{route}" for route, name, _ in walk() if classify(route, name) is None]
    assert not unclassified, (
        "URL patterns the permission matrix does not cover; add each to ROUTES in "
        "tests/security/matrix.py with how to fill its kwargs:\n  " + "\n  ".join(unclassified)
    )


def test_the_table_lists_only_urls_that_exist():
    names = {name for _route, name, _ in walk() if name}
    stale = sorted(set(ROUTES) - names)
    assert not stale, f"ROUTES lists URL names that no longer exist: {stale}"


def _admin_spec(world, name, pattern):
    model, page = admin_model(name)
    regex = pattern.pattern.regex
    # simple_history's object history page uses positional groups: (object_id, history_id).
    names = list(regex.groupindex) or [f"{ARG}{i}" for i in range(regex.groups)]
    keys = {}
    for position, kwarg in enumerate(names):
        first = kwarg == "object_id" or (kwarg.startswith(ARG) and position == 0)
        keys[kwarg] = ("admin_object", model) if first else ("admin_history", model)
    return R(kwargs=keys), model


def _value(world, key, scope, role, filled):
    if isinstance(key, tuple) and key[0] == "admin_object":
        model = key[1]
        label = model._meta.label
        standard = {"cases.Member": "member", "cases.Case": "case", "cases.Coverage": "coverage",
                    "cases.Task": "task", "cases.Document": "document"}
        if label in standard:
            return world.resolve(standard[label], scope, role)
        obj = world.instance(label, scope)
        return obj.pk if obj is not None else MISSING
    if isinstance(key, tuple) and key[0] == "admin_history":
        model = key[1]
        history = getattr(model, "history", None)
        object_id = filled.get("object_id", filled.get(f"{ARG}0"))
        row = history.filter(id=object_id).order_by("-history_id").first() if history is not None else None
        return row.history_id if row else MISSING
    return world.resolve(key, scope, role)


def _member_based(key) -> bool:
    if isinstance(key, Lit):
        return False
    if isinstance(key, tuple):
        return True
    return key in ("member", "case", "coverage", "task", "document") or key.startswith("model:")


def _object_visible(key, scope, role, visible_scopes) -> bool:
    if isinstance(key, Lit):
        return True
    if _member_based(key):
        return scope in visible_scopes
    if key == "user":
        return scope == "in" and role == "supervisor"
    if key.startswith("any:"):
        return True
    if key == "plan":
        return scope == "in"
    if key == "notification" or key.startswith("org:"):
        return scope == "in"
    if key in ("webhook_endpoint", "webhook_delivery"):
        return scope == "in" and role == "plan_liaison"
    return False


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="ignore")
    return response.content.decode(errors="ignore")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", *ALL_ROLES])
def test_permission_matrix(role):
    # Given the two-organization world and a user of this role in organization A / plan X
    world = World()
    user = world.users.get(role)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    visible_ids = set(member_list_visible_to(user=user).values_list("pk", flat=True)) if user else set()
    visible_scopes = {name for name, s in world.scopes.items() if s.member.pk in visible_ids}
    hidden = [n for scope, names in (("in", IN_NAMES), ("out", OUT_NAMES)) if scope not in visible_scopes
              for n in names[1:]]
    assert "out" not in visible_scopes, "the world is wrong: the out-of-scope member is visible"
    failures: list[str] = []
    requests = 0

    # When every URL is requested with objects of each scope
    for route, name, pattern in walk():
        if name is None or classify(route, name) is None:
            continue  # unnamed admin redirects; unclassified URLs fail test_every_url_is_classified
        if name in ROUTES:
            spec, is_admin = ROUTES[name], name.startswith("admin:")
        else:
            spec, _model = _admin_spec(world, name, pattern)
            is_admin = True
        if not spec.get:
            continue
        scopes = ("in", "out") if spec.kwargs else ("in",)
        for scope in scopes:
            filled = {}
            for kwarg, key in spec.kwargs.items():
                filled[kwarg] = _value(world, key, scope, role, filled)
            try:
                if any(k.startswith(ARG) for k in filled):
                    url = reverse(name, args=[str(v) for v in filled.values()])
                else:
                    url = reverse(name, kwargs={k: str(v) for k, v in filled.items()} or None)
            except NoReverseMatch as error:
                failures.append(f"{name}: cannot build the URL from {filled}: {error}")
                continue
            sees_all = role in spec.sees_all
            object_visible = all(_object_visible(k, scope, role, visible_scopes) for k in spec.kwargs.values())
            where = f"{role} GET {url} [{name}, {scope}]"

            response = client.get(url)
            requests += 1
            body = _body(response)
            # Then: no server error, no hidden member on the page, refusals where due
            if response.status_code >= 500:
                failures.append(f"{where}: server error {response.status_code}")
                continue
            if not sees_all:
                leaked = [n for n in hidden if n in body]
                if leaked:
                    failures.append(f"{where}: status {response.status_code} shows hidden member data {leaked}")
            if user is None and not spec.public:
                if response.status_code == 302 and "login" not in response.get("Location", ""):
                    failures.append(f"{where}: anonymous redirected to {response['Location']}, not to sign-in")
                elif response.status_code not in (302, 401, 403):
                    failures.append(f"{where}: anonymous got {response.status_code}")
            elif user is not None and spec.kwargs and not object_visible and not sees_all:
                if response.status_code not in DENIED_GET:
                    failures.append(f"{where}: object outside scope answered {response.status_code}")
                # Writes to objects outside the scope are refused before any form is read.
                post = client.post(url, {})
                requests += 1
                # The admin answers an object it cannot find (or a login) with a redirect to its index.
                admin_redirect = is_admin and post.status_code == 302 and (
                    "login" in post.get("Location", "") or post.get("Location", "").rstrip("/") == "/admin"
                    or MISSING in filled.values())
                if post.status_code >= 500:
                    failures.append(f"{role} POST {url} [{name}, {scope}]: server error {post.status_code}")
                elif not (post.status_code in DENIED_POST or admin_redirect):
                    failures.append(f"{role} POST {url} [{name}, {scope}]: object outside scope answered "
                                    f"{post.status_code}")
                leaked = [n for n in hidden if n in _body(post)]
                if leaked:
                    failures.append(f"{role} POST {url} [{name}, {scope}]: shows hidden member data {leaked}")

    wanted = {key.split(":", 1)[1] for spec in ROUTES.values() for key in spec.kwargs.values()
              if isinstance(key, str) and key.startswith(("model:", "org:", "any:"))}
    builds = {f"{scope}:{label}": why for scope, s in world.scopes.items() for label, why in s.failed.items()
              if label in wanted}
    assert not failures, (
        f"{len(failures)} permission matrix failures for role {role} ({requests} requests):\n  "
        + "\n  ".join(failures)
        + (f"\n(objects the world could not build, requested by a missing id instead: {builds})" if builds else "")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_manager", "plan_liaison"])
def test_every_page_showing_a_member_records_the_access(role):
    """Audit completeness: a response that shows the in-scope member (name or CIN) must have
    written an access event naming that member, under the response's request id."""
    from carecoord.audit.models import AccessEvent

    world = World()
    user = world.users[role]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    member = world.scopes["in"].member
    unaudited = []
    for route, name, pattern in walk():
        if name is None or name.startswith("admin:") or classify(route, name) is None or name not in ROUTES:
            continue
        spec = ROUTES[name]
        if not spec.get:
            continue
        filled = {}
        for kwarg, key in spec.kwargs.items():
            filled[kwarg] = _value(world, key, "in", role, filled)
        try:
            url = reverse(name, kwargs={k: str(v) for k, v in filled.items()} or None)
        except NoReverseMatch:
            continue
        response = client.get(url)
        if response.status_code != 200:
            continue
        body = _body(response)
        if member.last_name not in body and member.cin not in body:
            continue
        request_id = response.get("X-Request-ID", "")
        events = AccessEvent.objects.filter(request_id=request_id)
        if not any(member.pk in event.members for event in events):
            unaudited.append(f"{name} ({url})")
    assert not unaudited, (
        f"Pages that show a member to {role} without recording it (call "
        "carecoord.audit.access.record_access(request, members=[...], action=...)):\n  " + "\n  ".join(unaudited)
    )

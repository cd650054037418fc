"""The permission matrix: every URL pattern, classified, and a small world to request them in.

``ROUTES`` says for each URL name how to fill its kwargs from the world and what is expected;
``ADMIN_FAMILY`` classifies the admin's generated per-model URLs. A URL name in neither fails
``test_every_url_is_classified`` — add it to ``ROUTES`` when you add a URL:

    "my_view": R(kwargs={"case_id": "case"}),          # an object of the member's case
    "my_list": R(),                                    # no kwargs: a list or form page
    "my_thing": R(kwargs={"pk": "model:myapp.Thing"}), # an instance built for each scope

World keys: member, case, coverage, task, document, notification, user, webhook_endpoint,
webhook_delivery, ``model:<app_label.Model>`` (an instance built with its required fields
filled, tied to the scope's member/case/user/organization) and ``org:<app_label.Model>`` (the
same, for records scoped to an organization rather than a member: visible to every user of
organization A / plan X); ``any:<app_label.Model>`` for records every signed-in user may read
(e.g. the provider directory). ``Lit("x")`` passes a literal.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.admin import site as admin_site
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone


@dataclass(frozen=True)
class Lit:
    value: str


@dataclass(frozen=True)
class R:
    kwargs: dict = field(default_factory=dict)
    # Anonymous requests may be answered (no member data on the page).
    public: bool = False
    # Roles that see every member's data here by design (the privacy officer's reports).
    sees_all: frozenset = frozenset()
    # Skip sending a GET (the view has side effects on GET or streams forever); still classified.
    get: bool = True
    note: str = ""


ALL_ROLES = ("case_manager", "supervisor", "medical_consultant", "plan_liaison", "administrator")
REVIEWERS_SEE_ALL = frozenset({"administrator"})

ROUTES: dict[str, R] = {
    # Platform
    "healthz": R(public=True),
    "login": R(public=True),
    "login_totp": R(public=True, note="redirects to login without a pending sign-in"),
    "logout": R(note="POST only"),
    "set_language": R(public=True, note="POST; no data"),
    "clock_rules": R(),
    "dashboard": R(),
    # Audit and security
    "two_factor_setup": R(),
    "audit_index": R(sees_all=REVIEWERS_SEE_ALL),
    "audit_member_access": R(kwargs={"member_id": "member"}, sees_all=REVIEWERS_SEE_ALL),
    "audit_user_access": R(kwargs={"user_id": "user"}, sees_all=REVIEWERS_SEE_ALL),
    "break_glass_request": R(),
    # Case manager's app
    "home": R(),
    "notification_read": R(kwargs={"notification_id": "notification"}),
    "member_search": R(),
    "case_list": R(),
    "member_detail": R(kwargs={"member_id": "member"}),
    "case_detail": R(kwargs={"case_id": "case"}),
    "case_status": R(kwargs={"case_id": "case"}),
    "case_care_team_add": R(kwargs={"case_id": "case"}),
    "case_task_add": R(kwargs={"case_id": "case"}),
    "case_task_done": R(kwargs={"case_id": "case", "task_id": "task"}),
    "case_reassign": R(kwargs={"case_id": "case"}),
    "case_clock_pause": R(kwargs={"case_id": "case"}),
    "case_clock_resume": R(kwargs={"case_id": "case"}),
    "case_document_add": R(kwargs={"case_id": "case"}),
    "document_download": R(kwargs={"document_id": "document"}),
    # API
    "api_schema": R(public=True, note="schema only"),
    "api_docs": R(public=True, note="Swagger UI shell"),
    "api_tracking_list": R(),
    "api_tracking_list_csv": R(),
    "api-member-consents": R(kwargs={"member_id": "member"}),
    "api-member-list": R(),
    "api-member-detail": R(kwargs={"pk": "member"}),
    "api-case-list": R(),
    "api-case-detail": R(kwargs={"pk": "case"}),
    "api-referral-list": R(),
    "api-referral-detail": R(kwargs={"pk": "model:referrals.Referral"}),
    "api-webhook-endpoint-list": R(),
    "api-webhook-endpoint-detail": R(kwargs={"pk": "webhook_endpoint"}),
    "api-webhook-endpoint-ping": R(kwargs={"pk": "webhook_endpoint"}),
    "api-webhook-delivery-list": R(),
    "api-webhook-delivery-detail": R(kwargs={"pk": "webhook_delivery"}),
    "fhir_patient": R(kwargs={"id": "member"}),
    "fhir_coverage": R(kwargs={"id": "coverage"}),
    "fhir_episodeofcare": R(kwargs={"id": "case"}),
    "fhir_careteam": R(kwargs={"id": "case"}),
    "fhir_careplan": R(kwargs={"id": "model:cases.CarePlan"}),
    "fhir_servicerequest": R(kwargs={"id": "model:referrals.Referral"}),
    "fhir_task": R(kwargs={"id": "model:referrals.Referral"}),  # a FHIR Task is a referral's closed loop
    "fhir_consent": R(kwargs={"id": "model:consents.Consent"}),
    "fhir_communication": R(kwargs={"id": "model:notices.Notice"}),
    "api-work-queue": R(),
    "api-compliance": R(),
    "api-clock-rules": R(),
    "api-notification-list": R(),
    "api-notification-detail": R(kwargs={"pk": "notification"}),
    "api-notification-acknowledge": R(kwargs={"pk": "notification"}),
    # Referrals
    "referrals:queue": R(),
    "referrals:detail": R(kwargs={"referral_id": "model:referrals.Referral"}),
    "referrals:outbound_new": R(kwargs={"case_id": "case"}),
    # CCS
    "ccs:intake": R(),
    "ccs:documents_add": R(kwargs={"case_id": "case"}),
    "ccs:documentation_adequate": R(kwargs={"case_id": "case"}),
    "ccs:determination": R(kwargs={"case_id": "case"}),
    "ccs:sar_new": R(kwargs={"case_id": "case"}),
    "ccs:sar_decide": R(kwargs={"case_id": "case", "sar_id": "model:cases.ServiceAuthorization"}),
    "ccs:care_plan_new": R(kwargs={"case_id": "case"}),
    "ccs:goal_add": R(kwargs={"case_id": "case"}),
    "ccs:intervention_add": R(kwargs={"case_id": "case"}),
    "ccs:review_add": R(kwargs={"case_id": "case"}),
    "ccs:conference_new": R(kwargs={"case_id": "case"}),
    "ccs:link_provider": R(kwargs={"case_id": "case"}),
    "ccs:authorizations_pending": R(),
    "ccs:problems": R(),
    # County-plan issue log: visible to the whole program or plan (it may name a case, never
    # the member), so its scope is the organization.
    "ccs:problem_detail": R(kwargs={"item_id": "org:cases.ProblemItem"}),
    "ccs:liaison_meetings": R(),
    "ccs:tracking_list": R(),
    # ECM pathway pages (issue 5)
    "ecm:pathway": R(kwargs={"case_id": "case"}),
    "ecm:immediate_needs": R(kwargs={"case_id": "case"}),
    "ecm:plan_selection": R(kwargs={"case_id": "case"}),
    "ecm:referral": R(kwargs={"case_id": "case"}),
    "ecm:outreach": R(kwargs={"case_id": "case"}),
    "ecm:prior_check": R(kwargs={"case_id": "case"}),
    "ecm:authorization": R(kwargs={"case_id": "case"}),
    "ecm:mcp_decision": R(kwargs={"case_id": "case"}),
    "ecm:notify": R(kwargs={"case_id": "case"}),
    "ecm:assessment": R(kwargs={"case_id": "case"}),
    "ecm:care_plan": R(kwargs={"case_id": "case"}),
    "ecm:share": R(kwargs={"case_id": "case"}),
    "ecm:cft_schedule": R(kwargs={"case_id": "case"}),
    "ecm:move": R(kwargs={"case_id": "case"}),
    "ecm:closure": R(kwargs={"case_id": "case"}),
    "ecm:cft_hold": R(kwargs={"case_id": "case", "meeting_id": "model:cases.CftMeeting"}),
    "ecm:cft_care_plan": R(kwargs={"case_id": "case", "meeting_id": "model:cases.CftMeeting"}),
    "ecm:move_meds": R(kwargs={"case_id": "case", "move_id": "model:cases.PlacementMove"}),
    "ecm:move_plan": R(kwargs={"case_id": "case", "move_id": "model:cases.PlacementMove"}),
    "ecm:move_coc": R(kwargs={"case_id": "case", "move_id": "model:cases.PlacementMove"}),
    "ecm:move_provider": R(kwargs={"case_id": "case", "move_id": "model:cases.PlacementMove"}),
    "ecm:move_handoff": R(kwargs={"case_id": "case", "move_id": "model:cases.PlacementMove"}),
    "ecm:first_placement_summary": R(kwargs={"case_id": "case"}),
    "ecm:move_cws_step": R(kwargs={"case_id": "case", "move_id": "model:cases.PlacementMove", "step": Lit("exam")}),
    "ecm:coc_decide": R(kwargs={"case_id": "case", "request_id": "model:cases.ContinuityOfCareRequest"}),
    "api-ecm-enrollments": R(),
    "api-ecm-enrollment": R(kwargs={"pk": "model:cases.EcmEnrollment"}),
    "api-ecm-enrollment-decision": R(kwargs={"pk": "model:cases.EcmEnrollment"}),
    "api-ecm-coc-decision": R(kwargs={"pk": "model:cases.ContinuityOfCareRequest"}),
    "api_not_found": R(get=False, note="JSON 404 for any unknown API path"),
    # Transitions (DMC-ODS, 42 CFR Part 2)
    "transitions:stalled": R(),
    "transitions:adult_due": R(),
    "transitions:residential": R(),
    "transitions:monitoring": R(),
    "transitions:case": R(kwargs={"case_id": "case"}),
    "transitions:detail": R(kwargs={"transition_id": "model:transitions.CareTransition"}),
    "transitions:packet": R(kwargs={"transition_id": "model:transitions.CareTransition"}),
    "api-transitions": R(),
    "api-transition": R(kwargs={"pk": "model:transitions.CareTransition"}),
    "api-residential-notifications": R(),
    "api-residential-notification": R(kwargs={"pk": "model:transitions.PlanNotification"}),
    "api-residential-stay-notify": R(kwargs={"episode_id": "model:transitions.SettingEpisode"}),
    "transitions:action": R(kwargs={"target": Lit("case"), "pk": "case", "name": Lit("note")}),
    # Population transitions (a county's whole CCS caseload moving to a plan): scoped to the
    # county program and plan, never showing another organization's members.
    "api-population-transitions": R(),
    "api-population-transition": R(kwargs={"pk": "org:transitions.PopulationTransition"}),
    "api-population-calls": R(kwargs={"pk": "org:transitions.PopulationTransition"}),
    "api-population-file": R(kwargs={"pk": "org:transitions.PopulationTransition", "kind": Lit("identification")}),
    "api-welcome-call-outcome": R(kwargs={"call_id": "model:transitions.WelcomeCall"}),
    "transitions:population_list": R(),
    "transitions:population_create": R(),
    "transitions:population_detail": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_confirm": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_ready": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_job_start": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_job_resume": R(kwargs={"transition_id": "org:transitions.PopulationTransition",
                                                    "job_id": "org:transitions.BulkJob"}),
    "transitions:population_progress": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_readiness_add": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_readiness_done": R(kwargs={"item_id": "org:transitions.ReadinessItem"}),
    "transitions:population_members": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_follow_up": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_continuity": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_calls": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_call_record": R(kwargs={"call_id": "model:transitions.WelcomeCall"}),
    "transitions:population_faq": R(kwargs={"transition_id": "org:transitions.PopulationTransition"}),
    "transitions:population_file_check": R(kwargs={"transition_id": "org:transitions.PopulationTransition",
                                                   "kind": Lit("identification"), "plan_id": "plan"}),
    # Supervisor dashboards
    "dashboard_compliance_cases": R(),
    "dashboard_caseloads": R(),
    "dashboard_escalations": R(),
    "dashboard_programs": R(),
    # Provider directory (providers are not member data: any signed-in user may read them)
    "api_directory_providers": R(),
    "directory:search": R(),
    "directory:provider": R(kwargs={"profile_id": "any:directory.ProviderProfile"}),
    "directory:unmet_need": R(),
    "directory:import": R(),
    "directory:export": R(),
    "directory:gaps": R(),
    "directory:utilization": R(kwargs={"member_id": "member"}),
    "directory:concurrent_review": R(kwargs={"case_id": "case"}),
    "directory:medical_report": R(kwargs={"case_id": "case"}),
    # Consents
    "consents:member_consents": R(kwargs={"member_id": "member"}),
    "consents:consent_create": R(kwargs={"member_id": "member", "kind": Lit("part2")}),
    "consents:member_disclosures": R(kwargs={"member_id": "member"}),
    "consents:member_disclosures_csv": R(kwargs={"member_id": "member"}),
    "consents:disclosure_list_produce": R(kwargs={"request_id": "model:consents.DisclosureListRequest"}),
    "consents:consent_detail": R(kwargs={"consent_id": "model:consents.Consent"}),
    "consents:consent_revoke": R(kwargs={"consent_id": "model:consents.Consent"}),
    "consents:consent_expiry_event": R(kwargs={"consent_id": "model:consents.Consent"}),
    # Notices
    "notices:new": R(kwargs={"case_id": "case"}),
    "notices:detail": R(kwargs={"pk": "model:notices.Notice"}),
    "notices:pdf": R(kwargs={"pk": "model:notices.Notice"}),
    "notices:send": R(kwargs={"pk": "model:notices.Notice"}),
    "notices:mailed": R(kwargs={"pk": "model:notices.Notice"}),
    "notices:returned": R(kwargs={"pk": "model:notices.Notice"}),
    "notices:appeal_new": R(kwargs={"case_id": "case"}),
    "notices:appeal_acknowledge": R(kwargs={"pk": "model:notices.Appeal"}, note="POST only"),
    "notices:appeal_decide": R(kwargs={"pk": "model:notices.Appeal"}, note="POST only"),
    # The admin site's own pages (per-model pages are ADMIN_FAMILY).
    "admin:index": R(),
    "admin:login": R(public=True),
    "admin:logout": R(note="POST only"),
    "admin:password_change": R(),
    "admin:password_change_done": R(),
    "admin:autocomplete": R(),
    "admin:jsi18n": R(public=False),
    "admin:view_on_site": R(get=False, note="redirects to an object's own page, which is checked there"),
    "admin:app_list": R(kwargs={"app_label": Lit("cases")}),
    "admin:auth_user_password_change": R(kwargs={"id": "user"}, sees_all=frozenset({"administrator"}),
                                         note="user administration, no member data"),
}

# Unnamed patterns, by route: the admin's redirects and catch-all.
UNNAMED_ROUTES = {
    re.compile(r"^admin/[a-z_]+/[a-z_]+/<path:object_id>/$"): "admin redirect to the change page",
    re.compile(r"^admin/\(\?P<url>\.\*\)\$$"): "admin catch-all (404 / login)",
}

ADMIN_PAGES = ("changelist", "add", "change", "delete", "history", "simple_history")


def walk(resolver=None, prefix="", namespaces=()):
    """(route, qualified name or None, pattern) for every URL pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = ":".join(namespaces + (pattern.name,)) if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern


def admin_model(name: str):
    """(model, page) for the admin's generated per-model URL names, else None."""
    for model in admin_site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix) and name.removeprefix(prefix) in ADMIN_PAGES:
            return model, name.removeprefix(prefix)
    return None


def classify(route: str, name: str | None) -> str | None:
    """Why a pattern is covered, or None when it is not."""
    if name is None:
        for regex, why in UNNAMED_ROUTES.items():
            if regex.match(route):
                return why
        return None
    if name in ROUTES:
        return "table"
    if admin_model(name):
        return "admin family"
    return None


# ---------------------------------------------------------------- the world

IN_NAMES = ("Aurelio", "Zzinscope", "91111111A")
OUT_NAMES = ("Beatriz", "Zzoutscope", "92222222B")


@dataclass
class Scope:
    name: str
    county: object
    org: object
    plan: object
    team: object
    member: object
    case: object
    coverage: object
    task: object
    document: object
    user: object
    objects: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)


class World:
    """Two organizations (counties A and B), two plans (X and Y), a member with a case in
    each; users of every role in organization A / plan X. Scope "in" is what A/X users may
    see, scope "out" what none of them may."""

    def __init__(self):
        from carecoord.accounts.models import Organization
        from carecoord.accounts.services import user_create
        from tests.factories import (
            CaseFactory, CountyFactory, CoverageFactory, MemberFactory, OrganizationFactory, PlanFactory, TeamFactory,
            TaskFactory,
        )

        self.scopes: dict[str, Scope] = {}
        self.users: dict[str, object] = {}
        for scope, names, fips in (("in", IN_NAMES, "06001"), ("out", OUT_NAMES, "06007")):
            county = CountyFactory(name=f"County {scope}", fips_code=fips)
            org = OrganizationFactory(name=f"Program {scope}", county=county, type=Organization.Type.CCS_COUNTY)
            plan = PlanFactory(name=f"Plan {scope}")
            team = TeamFactory(organization=org, name=f"Team {scope}")
            worker = user_create(username=f"worker_{scope}", role="case_manager", organization=org, team=team,
                                 password="matrix-password-123", first_name="Wanda", last_name=f"Worker{scope}")
            member = MemberFactory(first_name=names[0], last_name=names[1], cin=names[2], county=county)
            coverage = CoverageFactory(member=member, plan=plan)
            case = CaseFactory(member=member, organization=org, team=team, primary_case_manager=worker)
            task = TaskFactory(case=case, title=f"Call {names[1]}")
            from cases.models import Document

            document = Document.objects.create(
                member=member, case=case, kind="other", title=f"Letter for {names[1]}",
                file=ContentFile(b"%PDF-1.4 matrix", name="letter.pdf"), original_name="letter.pdf",
                content_type="application/pdf", size=15, sha256="0" * 64, uploaded_by=worker,
            )
            self.scopes[scope] = Scope(scope, county, org, plan, team, member, case, coverage, task, document, worker)
        inside = self.scopes["in"]
        self.users["case_manager"] = inside.user
        for role in ("supervisor", "medical_consultant", "administrator"):
            self.users[role] = user_create(username=f"matrix_{role}", role=role, organization=inside.org,
                                           password="matrix-password-123")
        inside.team.supervisor = self.users["supervisor"]
        inside.team.save()
        self.users["plan_liaison"] = user_create(username="matrix_plan_liaison", role="plan_liaison",
                                                 organization=inside.plan, password="matrix-password-123")
        self.scopes["out"].objects["liaison"] = user_create(
            username="matrix_liaison_out", role="plan_liaison", organization=self.scopes["out"].plan)

    # -- objects by key

    def resolve(self, key, scope: str, role: str):
        if isinstance(key, Lit):
            return key.value
        s = self.scopes[scope]
        if key in ("member", "case", "coverage", "task", "document", "user", "plan"):
            return getattr(s, key).pk
        if key == "notification":
            return self._notification(s, role).pk
        if key in ("webhook_endpoint", "webhook_delivery"):
            obj = self._webhook(s, key)
            return obj.pk if obj else 999999999
        if key.startswith(("model:", "org:", "any:")):
            obj = self.instance(key.split(":", 1)[1], scope)
            return obj.pk if obj is not None else 999999999
        raise KeyError(key)

    def _notification(self, s: Scope, role: str):
        from carecoord.clocks.models import Notification

        # In scope: the requesting user's own notification; out of scope: someone else's.
        owner = self.users[role] if s.name == "in" and role in self.users else s.user
        note, _ = Notification.objects.get_or_create(
            key=f"matrix:{s.name}:{owner.pk}", defaults={"user": owner, "kind": "info",
                                                         "message": "Matrix notification"})
        return note

    def _webhook(self, s: Scope, key: str):
        if key in s.objects:
            return s.objects[key]
        owner = self.users["plan_liaison"] if s.name == "in" else s.objects["liaison"]
        endpoint = self._autofill("api.WebhookEndpoint", s, overrides={"plan": owner.organization})
        s.objects["webhook_endpoint"] = endpoint
        s.objects["webhook_delivery"] = (
            self._autofill("api.WebhookDelivery", s, overrides={"endpoint": endpoint}) if endpoint else None
        )
        return s.objects[key]

    def instance(self, label: str, scope: str):
        """An instance tied to the scope's member; None for models unrelated to members
        (their admin pages are requested with a missing id)."""
        from django.apps import apps

        from carecoord.audit.history import member_paths

        s = self.scopes[scope]
        if label not in s.objects:
            try:
                model = apps.get_model(label)
            except LookupError as error:
                s.failed[label] = str(error)
                s.objects[label] = None
                return None
            s.objects[label] = self._autofill(label, s) if member_paths(model) and label not in NOT_BUILT else None
        return s.objects[label]

    def _autofill(self, label: str, s: Scope, overrides: dict | None = None, depth: int = 0):
        """An instance of ``label`` with required fields filled, tied to the scope's member/case."""
        from django.apps import apps

        from carecoord.accounts.models import County, Organization, Team, User
        from cases.models import Case, Member

        model = apps.get_model(label)
        by_model = {Member: s.member, Case: s.case, User: s.user, Organization: s.org, County: s.county, Team: s.team}
        values = dict(overrides or {})
        for f in model._meta.concrete_fields:
            if f.primary_key or f.name in values:
                continue
            if f.is_relation:
                target = by_model.get(f.related_model)
                if target is None and not f.null and depth < 3:
                    target = s.objects.get(f.related_model._meta.label) or self._autofill(
                        f.related_model._meta.label, s, depth=depth + 1)
                    s.objects[f.related_model._meta.label] = target
                if target is not None and (not f.null or f.related_model in (Member, Case)):
                    values[f.name] = target
                continue
            if f.has_default() or f.null or (f.blank and not f.choices):
                continue
            values[f.name] = _sample(f)
        try:
            with transaction.atomic():
                obj = model(**values)
                obj.save()
            return obj
        except (IntegrityError, ValueError, TypeError, Exception) as error:  # noqa: B014
            s.failed[label] = f"{type(error).__name__}: {error}"
            return None


# The audit trail is written by record_access only; a hand-made row would break the chain.
NOT_BUILT = {"audit.AccessEvent"}
_counter = iter(range(1, 10**9))


def _sample(f):
    if f.name == "rule_code":
        from carecoord.clocks.catalog import RULES

        return RULES[0].code
    if f.unique and isinstance(f, models.CharField):
        return f"m{next(_counter)}"[: f.max_length]
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return timezone.localdate()
    if isinstance(f, models.TimeField):
        return datetime.time(9, 0)
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, (models.IntegerField, models.DecimalField, models.FloatField)):
        return 1
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.FileField):
        return ContentFile(b"%PDF-1.4 matrix", name="matrix.pdf")
    if isinstance(f, models.EmailField):
        return "matrix@example.org"
    if isinstance(f, models.URLField):
        return "https://example.org/hook"
    if isinstance(f, (models.CharField, models.TextField)):
        return "x" * min(getattr(f, "max_length", None) or 20, 20)
    return None

"""Read-only FHIR R4 endpoints: ``/api/fhir/<ResourceType>/<id>``.

Each resource type loads its row through the same selectors as the JSON API (not
visible means 404), builds the resource with :mod:`carecoord.api.fhir` (validated
by the library's model) and logs the read. Records of substance use disorder
treatment (DMC-ODS cases, SUD referrals) are shown to a plan only under a Part 2
consent naming it; otherwise they are 404 like any record the caller may not see.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Coverage, Program
from cases.selectors import case_list_visible_to, member_list_visible_to
from referrals.models import Referral

from . import fhir
from .disclosure import is_plan_caller, sud_allowed
from .schema import READ_ERRORS
from .views import model_label, record_access

SUD_SERVICES = {Referral.ServiceType.MAT_NTP, Referral.ServiceType.SUD_RESIDENTIAL, Referral.ServiceType.SUD_OUTPATIENT}


class FhirJsonRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


def _require_sud_consent(user, member) -> None:
    if not sud_allowed(user=user, member=member):
        raise Http404("No such resource")


def _patient(user, pk):
    return member_list_visible_to(user=user).select_related("primary_care_provider").get(pk=pk)


def _coverage(user, pk):
    return Coverage.objects.filter(member__in=member_list_visible_to(user=user)).select_related("plan").get(pk=pk)


def _case(user, pk):
    return case_list_visible_to(user=user).select_related("member", "organization", "primary_case_manager").get(pk=pk)


def _case_with_sud_check(user, pk):
    case = _case(user, pk)
    if case.program == Program.DMC_ODS:
        _require_sud_consent(user, case.member)
    return case


def _care_plan(user, pk):
    from cases.ccs_models import CarePlan

    care_plan = CarePlan.objects.filter(case__in=case_list_visible_to(user=user)).select_related(
        "case", "case__member", "written_by").get(pk=pk)
    if care_plan.case.program == Program.DMC_ODS:
        _require_sud_consent(user, care_plan.case.member)
    return care_plan


def _referral(user, pk):
    if is_plan_caller(user):
        # A plan sees the referrals it made or that were sent to it, of members it may see.
        visible = Referral.objects.filter(Q(source_organization_id=user.organization_id)
                                          | Q(recipient_organization_id=user.organization_id))
    else:
        visible = Referral.objects.filter(Q(case__in=case_list_visible_to(user=user))
                                          | Q(case__isnull=True, member__in=member_list_visible_to(user=user)))
    referral = visible.filter(member__in=member_list_visible_to(user=user)).select_related(
        "member", "case", "organization", "source_organization", "recipient_organization").get(pk=pk)
    if referral.program == Program.DMC_ODS or referral.service_type in SUD_SERVICES or (
        referral.case_id and referral.case.program == Program.DMC_ODS
    ):
        _require_sud_consent(user, referral.member)
    return referral


def _consent(user, pk):
    from consents.selectors import consent_get_for_user

    return consent_get_for_user(user=user, consent_id=pk)


def _notice(user, pk):
    from notices.selectors import notice_list_for_plan, notice_list_visible_to

    notices = notice_list_for_plan(user=user) if is_plan_caller(user) else notice_list_visible_to(user=user)
    return notices.get(pk=pk)


def _episode(case):
    referral_ids = list(case.referrals.filter(direction=Referral.Direction.INBOUND).values_list("pk", flat=True))
    return fhir.episode_of_care_resource(case, referral_ids=referral_ids)


def _care_team(case):
    today = timezone.localdate()
    memberships = case.care_team.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).select_related("user", "organization")
    return fhir.care_team_resource(case, memberships)


def _care_plan_resource(care_plan):
    return fhir.care_plan_resource(care_plan, care_plan.goals.prefetch_related(
        "interventions", "interventions__owner", "interventions__owner_organization"))


@dataclass(frozen=True)
class FhirResource:
    name: str
    load: Callable
    build: Callable
    member_of: Callable
    describes: str


RESOURCES = [
    FhirResource("Patient", _patient, fhir.patient_resource, lambda m: m, "A member of your plan (id = member id)."),
    FhirResource("Coverage", _coverage, fhir.coverage_resource, lambda c: c.member_id,
                 "A Medi-Cal coverage period (id = coverage id from `/api/members/`)."),
    FhirResource("EpisodeOfCare", _case_with_sud_check, _episode, lambda c: c.member, "A case (id = case id)."),
    FhirResource("CareTeam", _case_with_sud_check, _care_team, lambda c: c.member,
                 "The current care team of a case (id = case id)."),
    FhirResource("CarePlan", _care_plan, _care_plan_resource, lambda p: p.case.member_id,
                 "A care plan with its goals (contained Goal resources) and interventions (id = care plan id)."),
    FhirResource("ServiceRequest", _referral, fhir.service_request_resource, lambda r: r.member,
                 "A referral (id = referral id)."),
    FhirResource("Task", _referral, fhir.task_resource, lambda r: r.member,
                 "Where a referral stands in the closed loop (id = referral id; focus = the ServiceRequest)."),
    FhirResource("Consent", _consent, fhir.consent_resource, lambda c: c.member_id,
                 "A consent to share information (id = consent id); Part 2 consents only where you are named."),
    FhirResource("Communication", _notice, fhir.communication_resource, lambda n: n.member,
                 "A notice or notification (id = notice id); plans see those addressed to them."),
]


class FhirReadView(APIView):
    renderer_classes = [FhirJsonRenderer, JSONRenderer]
    resource: FhirResource

    def get(self, request, id):  # noqa: A002 (the FHIR read interaction's name for it)
        try:
            obj = self.resource.load(request.user, id)
        except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
            raise Http404("No such resource") from None
        record_access(request, members=[self.resource.member_of(obj)], action="view", records=[(model_label(obj), obj.pk)])
        return Response(fhir.fhir_json(self.resource.build(obj)))


def _view_for(resource: FhirResource):
    def get(self, request, id):  # noqa: A002
        return FhirReadView.get(self, request, id)

    view = type(f"Fhir{resource.name}View", (FhirReadView,), {"resource": resource, "get": get})
    view.get = extend_schema(
        operation_id=f"fhir_{resource.name}_read",
        summary=f"FHIR R4 {resource.name}",
        description=f"{resource.describes} Returned as a FHIR R4 `{resource.name}` resource "
                    "(`application/fhir+json`; send `Accept: application/json` for plain JSON). "
                    "Same visibility as the JSON API: not yours means 404.",
        tags=["fhir"],
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Record id.")],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description=f"A FHIR R4 {resource.name}."), **READ_ERRORS},
        examples=[OpenApiExample(resource.name, value=EXAMPLES[resource.name], response_only=True)],
    )(get)
    return view


EXAMPLES = {
    "Patient": {"resourceType": "Patient", "id": "42", "identifier": [{"use": "official", "system": fhir.CIN_SYSTEM,
                "value": "91234567A"}], "name": [{"use": "official", "family": "Reyes", "given": ["Ana"]}],
                "gender": "female", "birthDate": "2014-03-09"},
    "Coverage": {"resourceType": "Coverage", "id": "5", "status": "active", "beneficiary": {"reference": "Patient/42"},
                 "payor": [{"display": "Valley Health Plan"}], "period": {"start": "2025-01-01"}},
    "EpisodeOfCare": {"resourceType": "EpisodeOfCare", "id": "17", "status": "active",
                      "type": [{"coding": [{"system": fhir.PROGRAM_SYSTEM, "code": "ccs", "display": "CCS"}]}],
                      "patient": {"reference": "Patient/42"}, "period": {"start": "2026-09-10T15:00:00-07:00"}},
    "CareTeam": {"resourceType": "CareTeam", "id": "17", "status": "active", "subject": {"reference": "Patient/42"},
                 "participant": [{"role": [{"text": "Primary case manager"}], "member": {"display": "Nora Nurse"}}]},
    "CarePlan": {"resourceType": "CarePlan", "id": "3", "status": "active", "intent": "plan",
                 "subject": {"reference": "Patient/42"}, "title": "CCS care plan"},
    "ServiceRequest": {"resourceType": "ServiceRequest", "id": "120", "status": "active", "intent": "order",
                       "subject": {"reference": "Patient/42"}, "authoredOn": "2026-11-23T09:15:00-08:00"},
    "Task": {"resourceType": "Task", "id": "120", "status": "received", "intent": "order",
             "focus": {"reference": "ServiceRequest/120"}, "for": {"reference": "Patient/42"}},
    "Consent": {"resourceType": "Consent", "id": "9", "status": "active", "patient": {"reference": "Patient/42"},
                "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
                "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}]},
    "Communication": {"resourceType": "Communication", "id": "88", "status": "completed",
                      "subject": {"reference": "Patient/42"}, "sent": "2026-11-23T09:01:00-08:00"},
}

urlpatterns = [
    path(f"fhir/{resource.name}/<str:id>", _view_for(resource).as_view(), name=f"fhir_{resource.name.lower()}")
    for resource in RESOURCES
]

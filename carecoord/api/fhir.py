"""FHIR R4 views of our records, built with fhir.resources (R4B models, which are R4-compatible).

Each ``*_resource`` function maps one of our rows to a FHIR resource and validates
it by constructing the library's model; :func:`fhir_json` returns the validated
JSON. Mapping (SPEC.md): member = Patient (+ Coverage), case = EpisodeOfCare, care
plan = CarePlan with contained Goals, care team = CareTeam, referral = ServiceRequest
+ Task (the closed-loop status), consent = Consent, notice = Communication.

Organizations and people are references by display only: we do not serve them as
FHIR resources.
"""
from __future__ import annotations

import datetime
import json

from django.utils import timezone
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

# Identifier and code systems of our own (no national system exists for these values).
CIN_SYSTEM = "https://carecoord.org/fhir/sid/medi-cal-cin"
CASE_NUMBER_SYSTEM = "https://carecoord.org/fhir/sid/case-number"
REFERRAL_REFERENCE_SYSTEM = "https://carecoord.org/fhir/sid/referral-external-reference"
PROGRAM_SYSTEM = "https://carecoord.org/fhir/CodeSystem/program"
SERVICE_SYSTEM = "https://carecoord.org/fhir/CodeSystem/referral-service"
NOTICE_KIND_SYSTEM = "https://carecoord.org/fhir/CodeSystem/notice-kind"
CARE_TEAM_ROLE_SYSTEM = "https://carecoord.org/fhir/CodeSystem/care-team-role"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

GENDER = {"f": "female", "female": "female", "m": "male", "male": "male"}
EPISODE_STATUS = {"referred": "waitlist", "open": "active", "closed": "finished"}
SERVICE_REQUEST_STATUS = {
    "draft": "draft", "consent_checked": "draft", "sent": "active", "received": "active", "scheduled": "active",
    "no_show": "active", "attended": "completed", "closed": "completed", "declined": "revoked",
    "revoked": "entered-in-error",
}
TASK_STATUS = {
    "draft": "draft", "consent_checked": "ready", "sent": "requested", "received": "received", "scheduled": "accepted",
    "no_show": "on-hold", "attended": "in-progress", "closed": "completed", "declined": "rejected", "revoked": "cancelled",
}
PRIORITY = {"routine": "routine", "urgent": "urgent", "emergent": "stat"}
CONSENT_STATUS = {"active": "active", "pending": "proposed", "revoked": "inactive", "expired": "inactive"}
PURPOSE_CODES = {"treatment": "TREAT", "payment": "HPAYMT", "operations": "HOPERAT", "care_coordination": "COC",
                 "legal": "HLEGAL", "member_request": "PATRQT", "enrollment": "COVERAGE"}
SENSITIVITY_CODES = {"sud": "ETH", "hiv": "HIV", "mental_health": "PSY"}
COMMUNICATION_STATUS = {"draft": "preparation", "queued": "in-progress", "sent": "completed", "mailed": "completed",
                        "acknowledged": "completed", "returned": "stopped", "failed": "stopped"}
GOAL_STATUS = {"active": ("active", None), "met": ("completed", "achieved"), "not_met": ("cancelled", "not-achieved"),
               "discontinued": ("cancelled", None)}
ACTIVITY_STATUS = {"planned": "scheduled", "in_progress": "in-progress", "done": "completed", "cancelled": "cancelled"}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value.isoformat()


def _clean(value):
    """Drop empty values: FHIR forbids empty strings, lists and objects."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_clean(item) for item in value) if v not in (None, "", [], {})]
    return value


def _display(obj) -> dict | None:
    return {"display": str(obj)} if obj else None


def patient_ref(member_id) -> dict:
    return {"reference": f"Patient/{member_id}"}


def patient_resource(member) -> Patient:
    address = None
    if member.address_line1:
        address = {"use": "home", "line": [member.address_line1, member.address_line2], "city": member.city,
                   "state": member.state, "postalCode": member.zip_code, "country": "US"}
    return Patient.model_validate(_clean({
        "resourceType": "Patient", "id": str(member.pk),
        "identifier": [{"use": "official", "system": CIN_SYSTEM, "value": member.cin, "type": {"text": "Medi-Cal CIN"}}],
        "name": [{"use": "official", "family": member.last_name, "given": [member.first_name, member.middle_name]}],
        "gender": GENDER.get((member.sex or "").strip().lower(), "unknown"),
        "birthDate": _iso(member.date_of_birth),
        "address": [address],
        "telecom": [{"system": "phone", "value": member.phone}, {"system": "email", "value": member.email}]
        if (member.phone or member.email) else [],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": member.preferred_language}],
                                        "text": member.get_preferred_language_display()}, "preferred": True}],
        "generalPractitioner": [_display(member.primary_care_provider)],
    }))


def coverage_resource(coverage) -> Coverage:
    today = timezone.localdate()
    is_mcp = coverage.kind == "mcp"
    return Coverage.model_validate(_clean({
        "resourceType": "Coverage", "id": str(coverage.pk),
        "status": "active" if coverage.is_active_on(today) else "cancelled",
        "type": {"text": "Medi-Cal managed care" if is_mcp else "Medi-Cal fee-for-service"},
        "beneficiary": patient_ref(coverage.member_id),
        "payor": [{"display": coverage.plan.name if is_mcp else "California Department of Health Care Services (Medi-Cal)"}],
        "period": {"start": _iso(coverage.start_date), "end": _iso(coverage.end_date)},
        "class": [{"type": {"text": "Medi-Cal aid code"}, "value": coverage.aid_code}] if coverage.aid_code else [],
    }))


def episode_of_care_resource(case, *, referral_ids=()) -> EpisodeOfCare:
    manager = case.primary_case_manager
    return EpisodeOfCare.model_validate(_clean({
        "resourceType": "EpisodeOfCare", "id": str(case.pk),
        "identifier": [{"system": CASE_NUMBER_SYSTEM, "value": case.case_number}] if case.case_number else [],
        "status": EPISODE_STATUS[case.status],
        "type": [{"coding": [{"system": PROGRAM_SYSTEM, "code": case.program, "display": case.get_program_display()}]}],
        "patient": patient_ref(case.member_id),
        "managingOrganization": _display(case.organization),
        "period": {"start": _iso(case.opened_at or case.referred_at), "end": _iso(case.closed_at)},
        "referralRequest": [{"reference": f"ServiceRequest/{pk}"} for pk in referral_ids],
        "careManager": {"display": str(manager)} if manager else None,
        "team": [{"reference": f"CareTeam/{case.pk}"}],
    }))


def care_team_resource(case, memberships) -> CareTeam:
    participants = []
    for membership in memberships:
        participants.append({
            "role": [{"coding": [{"system": CARE_TEAM_ROLE_SYSTEM, "code": membership.role,
                                  "display": membership.get_role_display()}]}],
            "member": {"display": membership.display_name},
            "onBehalfOf": _display(membership.organization),
            "period": {"start": _iso(membership.start_date), "end": _iso(membership.end_date)},
        })
    return CareTeam.model_validate(_clean({
        "resourceType": "CareTeam", "id": str(case.pk),
        "status": "inactive" if case.status == "closed" else "active",
        "name": f"{case.get_program_display()} care team",
        "subject": patient_ref(case.member_id),
        "managingOrganization": [_display(case.organization)],
        "participant": participants,
    }))


def care_plan_resource(care_plan, goals) -> CarePlan:
    contained, activities = [], []
    for goal in goals:
        lifecycle, achievement = GOAL_STATUS[goal.status]
        goal_id = f"goal-{goal.pk}"
        contained.append({
            "resourceType": "Goal", "id": goal_id, "lifecycleStatus": lifecycle,
            "achievementStatus": {"text": achievement} if achievement else None,
            "category": [{"text": goal.domain}] if goal.domain else [],
            "description": {"text": goal.description}, "subject": patient_ref(care_plan.case.member_id),
            "target": [{"dueDate": _iso(goal.target_date)}] if goal.target_date else [],
        })
        for intervention in goal.interventions.all():
            owner = intervention.owner or intervention.owner_name or intervention.owner_organization
            activities.append({"detail": {
                "status": ACTIVITY_STATUS[intervention.status], "description": intervention.description,
                "goal": [{"reference": f"#{goal_id}"}],
                "scheduledPeriod": {"end": _iso(intervention.due_date)} if intervention.due_date else None,
                "performer": [_display(owner)],
            }})
    return CarePlan.model_validate(_clean({
        "resourceType": "CarePlan", "id": str(care_plan.pk), "contained": contained,
        "status": "active" if care_plan.status == "active" else "completed", "intent": "plan",
        "title": care_plan.title, "description": care_plan.summary,
        "subject": patient_ref(care_plan.case.member_id),
        "period": {"start": _iso(care_plan.written_at), "end": _iso(care_plan.closed_at)},
        "created": _iso(care_plan.written_at), "author": _display(care_plan.written_by),
        "careTeam": [{"reference": f"CareTeam/{care_plan.case_id}"}],
        "goal": [{"reference": f"#{goal['id']}"} for goal in contained],
        "activity": activities,
    }))


def _referral_requester(referral) -> dict | None:
    return _display(referral.source_organization) or _display(referral.reporter_name) or _display(referral.organization)


def _referral_performer(referral) -> dict | None:
    if referral.direction == "inbound":
        return _display(referral.organization)
    return _display(referral.recipient_organization) or _display(referral.recipient_contact)


def service_request_resource(referral) -> ServiceRequest:
    if referral.direction == "inbound":
        code = {"coding": [{"system": PROGRAM_SYSTEM, "code": referral.program, "display": referral.get_program_display()}],
                "text": f"Referral to {referral.get_program_display()}"}
    else:
        code = {"coding": [{"system": SERVICE_SYSTEM, "code": referral.service_type,
                            "display": referral.get_service_type_display()}]}
    return ServiceRequest.model_validate(_clean({
        "resourceType": "ServiceRequest", "id": str(referral.pk),
        "identifier": [{"system": REFERRAL_REFERENCE_SYSTEM, "value": referral.external_reference}]
        if referral.external_reference else [],
        "status": SERVICE_REQUEST_STATUS[referral.status], "intent": "order",
        "category": [{"coding": [{"system": "http://snomed.info/sct", "code": "3457005", "display": "Patient referral"}]}],
        "priority": PRIORITY.get(referral.urgency, "routine"), "code": code,
        "subject": patient_ref(referral.member_id),
        "authoredOn": _iso(referral.referred_at), "requester": _referral_requester(referral),
        "performer": [_referral_performer(referral)],
        "reasonCode": [{"text": referral.suspected_condition or referral.reason}]
        if (referral.suspected_condition or referral.reason) else [],
        "occurrenceDateTime": _iso(referral.appointment_at),
    }))


def task_resource(referral) -> Task:
    output = []
    if referral.outcome:
        output.append({"type": {"text": "outcome"}, "valueString": referral.get_outcome_display()})
    return Task.model_validate(_clean({
        "resourceType": "Task", "id": str(referral.pk),
        "basedOn": [{"reference": f"ServiceRequest/{referral.pk}"}],
        "focus": {"reference": f"ServiceRequest/{referral.pk}"},
        "for": patient_ref(referral.member_id),
        "status": TASK_STATUS[referral.status], "intent": "order",
        "businessStatus": {"text": referral.get_status_display()},
        "priority": PRIORITY.get(referral.urgency, "routine"),
        "authoredOn": _iso(referral.referred_at), "lastModified": _iso(referral.status_changed_at),
        "requester": _referral_requester(referral), "owner": _referral_performer(referral),
        "executionPeriod": {"start": _iso(referral.referred_at), "end": _iso(referral.closed_at)},
        "output": output,
    }))


def _coding_or_display(system: str, codes: dict, value: str, label: str) -> dict:
    return {"system": system, "code": codes[value], "display": label} if value in codes else {"display": label}


def consent_resource(consent) -> Consent:
    from consents.models import DataCategory, Purpose

    actors = [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                    "code": "IRCP", "display": "information recipient"}]},
               "reference": {"display": org.name}} for org in consent.recipients.all()]
    actors += [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                     "code": "IRCP"}]}, "reference": {"display": str(person)}}
               for person in consent.recipient_persons]
    return Consent.model_validate(_clean({
        "resourceType": "Consent", "id": str(consent.pk),
        "status": CONSENT_STATUS[consent.status()],
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}],
                      "text": consent.get_kind_display()}],
        "patient": patient_ref(consent.member_id),
        "dateTime": _iso(consent.recorded_at),
        "performer": [_display(consent.signed_by_name or consent.given_by_name)],
        "provision": {
            "type": "permit",
            "period": {"start": _iso(consent.effective_on), "end": _iso(consent.expires_on)},
            "actor": actors,
            "purpose": [_coding_or_display(ACT_REASON, PURPOSE_CODES, p, str(Purpose(p).label) if p in Purpose.values else p)
                        for p in consent.purposes],
            "securityLabel": [_coding_or_display(ACT_CODE, SENSITIVITY_CODES, c,
                                                 str(DataCategory(c).label) if c in DataCategory.values else c)
                              for c in consent.data_categories],
        },
    }))


def communication_resource(notice) -> Communication:
    return Communication.model_validate(_clean({
        "resourceType": "Communication", "id": str(notice.pk),
        "status": COMMUNICATION_STATUS.get(notice.status, "unknown"),
        "category": [{"coding": [{"system": NOTICE_KIND_SYSTEM, "code": notice.kind, "display": notice.get_kind_display()}]}],
        "medium": [{"text": notice.get_channel_display()}],
        "subject": patient_ref(notice.member_id),
        "topic": {"text": notice.subject},
        "encounter": None,
        "sent": _iso(notice.sent_at), "received": _iso(notice.acknowledged_at),
        "recipient": [{"display": notice.recipient_display}],
        "sender": _display(notice.sender_org),
        "payload": [{"contentString": notice.body}],
    }))


def fhir_json(resource) -> dict:
    """The validated resource as JSON-ready data."""
    return json.loads(resource.model_dump_json())

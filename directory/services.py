"""Writes to the care network: profiles, CSV import, unmet needs, inpatient reviews, and
forwarding a provider's medical report to the member's primary care provider."""
from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from carecoord.accounts.models import County, Organization
from carecoord.errors import RuleViolation
from cases.models import Language
from cases.timeline import timeline_record

from .geo import zip_point
from .models import ConcurrentReview, MedicalReport, ProviderProfile, Service, UnmetNeed

CSV_COLUMNS = [
    "name", "type", "community_resource", "services", "ccs_paneling", "paneled_from", "paneled_until",
    "application_submitted_on", "special_care_center", "scc_designation", "plans", "counties", "languages",
    "accepting_new_patients", "contact_name", "phone", "email", "website", "street", "city", "zip_code",
    "latitude", "longitude", "eligibility_notes",
]
LIST_SEPARATOR = ";"
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(LIST_SEPARATOR) if part.strip()]


def _bool(row: dict, column: str) -> bool:
    value = (row.get(column) or "").strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise _RowError(column, _("Write yes or no."))


def _date(row: dict, column: str) -> datetime.date | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _RowError(column, _("Write the date as YYYY-MM-DD.")) from None


def _float(row: dict, column: str) -> float | None:
    value = (row.get(column) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise _RowError(column, _("Write a number.")) from None


@dataclass
class _ParsedRow:
    name: str
    type: str
    profile_fields: dict
    services: list[Service]
    plans: list[Organization]
    counties: list[County]


def _parse_row(row: dict, *, services: dict[str, Service], plans: dict[str, Organization],
               counties: dict[str, County]) -> _ParsedRow:
    name = (row.get("name") or "").strip()
    if not name:
        raise _RowError("name", _("The name is required."))
    org_type = (row.get("type") or "").strip()
    if org_type not in Organization.Type.values:
        raise _RowError("type", _("Unknown organization type %(value)r.") % {"value": org_type})
    paneling = (row.get("ccs_paneling") or ProviderProfile.Paneling.NOT_PANELED).strip()
    if paneling not in ProviderProfile.Paneling.values:
        raise _RowError("ccs_paneling", _("Use one of: %(values)s.") % {"values": ", ".join(ProviderProfile.Paneling.values)})
    found_services = []
    for code in _split(row.get("services", "")):
        if code not in services:
            raise _RowError("services", _("Unknown service code %(value)r.") % {"value": code})
        found_services.append(services[code])
    found_plans = []
    for plan_name in _split(row.get("plans", "")):
        if plan_name not in plans:
            raise _RowError("plans", _("No managed care plan named %(value)r.") % {"value": plan_name})
        found_plans.append(plans[plan_name])
    found_counties = []
    for county_name in _split(row.get("counties", "")):
        if county_name not in counties:
            raise _RowError("counties", _("No county named %(value)r.") % {"value": county_name})
        found_counties.append(counties[county_name])
    languages = _split(row.get("languages", ""))
    for code in languages:
        if code not in Language.values:
            raise _RowError("languages", _("Unknown language code %(value)r.") % {"value": code})
    paneled_from, paneled_until = _date(row, "paneled_from"), _date(row, "paneled_until")
    if paneled_from and paneled_until and paneled_until < paneled_from:
        raise _RowError("paneled_until", _("Paneling ends before it starts."))
    latitude, longitude = _float(row, "latitude"), _float(row, "longitude")
    if (latitude is None) != (longitude is None):
        raise _RowError("longitude", _("Give both latitude and longitude, or neither."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _RowError("latitude", _("The coordinates are out of range."))
    zip_code = (row.get("zip_code") or "").strip()
    if latitude is None and zip_point(zip_code):
        latitude, longitude = zip_point(zip_code)
    return _ParsedRow(
        name=name, type=org_type, services=found_services, plans=found_plans, counties=found_counties,
        profile_fields={
            "is_community_resource": _bool(row, "community_resource"), "ccs_paneling": paneling,
            "paneled_from": paneled_from, "paneled_until": paneled_until,
            "application_submitted_on": _date(row, "application_submitted_on"),
            "special_care_center": _bool(row, "special_care_center"),
            "scc_designation": (row.get("scc_designation") or "").strip(), "languages": languages,
            "accepting_new_patients": _bool(row, "accepting_new_patients") if (row.get("accepting_new_patients") or "").strip() else True,
            "contact_name": (row.get("contact_name") or "").strip(), "phone": (row.get("phone") or "").strip(),
            "email": (row.get("email") or "").strip(), "website": (row.get("website") or "").strip(),
            "street": (row.get("street") or "").strip(), "city": (row.get("city") or "").strip(), "zip_code": zip_code,
            "latitude": latitude, "longitude": longitude, "eligibility_notes": (row.get("eligibility_notes") or "").strip(),
        },
    )


def vocabulary_load() -> None:
    """Make sure the starting vocabulary of needs exists (idempotent; the initial migration loads it too)."""
    from .vocabulary import SERVICES

    for code, name, kind in SERVICES:
        Service.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


def profile_save(*, name: str, type: str, profile_fields: dict, services, plans, counties) -> tuple[ProviderProfile, bool]:
    """Create or update one directory entry (the organization and its profile)."""
    organization, _created_org = Organization.objects.get_or_create(name=name, type=type)
    profile, created = ProviderProfile.objects.update_or_create(organization=organization, defaults=profile_fields)
    profile.services.set(services)
    profile.plans.set(plans)
    profile.counties_served.set(counties)
    return profile, created


def directory_import_csv(*, text: str) -> ImportReport:
    """Import directory rows. Every row is checked first; one bad row imports nothing and is reported."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in ("name", "type") if column not in (reader.fieldnames or [])]
    if missing:
        report.errors.append((1, missing[0], _("The header row must name the column %(column)s.") % {"column": missing[0]}))
        return report
    services = {s.code: s for s in Service.objects.all()}
    plans = {p.name: p for p in Organization.objects.filter(type=Organization.Type.MCP)}
    counties = {c.name: c for c in County.objects.all()}
    parsed: list[_ParsedRow] = []
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        try:
            parsed.append(_parse_row(row, services=services, plans=plans, counties=counties))
        except _RowError as exc:
            report.errors.append((number, exc.column, exc.message))
    if report.errors:
        return report
    with transaction.atomic():
        for row in parsed:
            _profile, created = profile_save(name=row.name, type=row.type, profile_fields=row.profile_fields,
                                             services=row.services, plans=row.plans, counties=row.counties)
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report


def directory_export_rows(queryset=None):
    """CSV rows (header first) for every profile, in the import format."""
    queryset = queryset if queryset is not None else ProviderProfile.objects.all()
    queryset = queryset.select_related("organization").prefetch_related("services", "plans", "counties_served")
    yield CSV_COLUMNS
    for p in queryset.order_by("organization__name"):
        yield [
            p.organization.name, p.organization.type, "yes" if p.is_community_resource else "no",
            LIST_SEPARATOR.join(s.code for s in p.services.all()), p.ccs_paneling, p.paneled_from or "", p.paneled_until or "",
            p.application_submitted_on or "", "yes" if p.special_care_center else "no", p.scc_designation,
            LIST_SEPARATOR.join(plan.name for plan in p.plans.all()), LIST_SEPARATOR.join(c.name for c in p.counties_served.all()),
            LIST_SEPARATOR.join(p.languages), "yes" if p.accepting_new_patients else "no", p.contact_name, p.phone, p.email,
            p.website, p.street, p.city, p.zip_code, "" if p.latitude is None else p.latitude,
            "" if p.longitude is None else p.longitude, p.eligibility_notes,
        ]


def unmet_need_record(*, county: County, service: Service, recorded_by, language: str = "", plan=None, member=None,
                      note: str = "") -> UnmetNeed:
    if language and language not in Language.values:
        raise RuleViolation(_("Unknown language."), field="language", rule="unmet_need.language")
    return UnmetNeed.objects.create(county=county, service=service, language=language, plan=plan, member=member,
                                    note=note[:300], recorded_by=recorded_by)


def concurrent_review_record(*, case, facility: Organization, admitted_on: datetime.date, level_of_care: str,
                             reviewed_by, expected_discharge: datetime.date | None = None, transfer_arranged: bool = False,
                             notes: str = "") -> ConcurrentReview:
    if not level_of_care.strip():
        raise RuleViolation(_("Record the level of care."), field="level_of_care", rule="concurrent_review.level_of_care")
    if expected_discharge and expected_discharge < admitted_on:
        raise RuleViolation(_("The expected discharge is before the admission."), field="expected_discharge",
                            rule="concurrent_review.dates_ordered")
    with transaction.atomic():
        review = ConcurrentReview.objects.create(case=case, facility=facility, admitted_on=admitted_on, level_of_care=level_of_care,
                                                 expected_discharge=expected_discharge, transfer_arranged=transfer_arranged,
                                                 notes=notes, reviewed_by=reviewed_by)
        timeline_record(case=case, kind="inpatient.reviewed", actor=reviewed_by,
                        summary=_("Inpatient stay at %(facility)s reviewed: %(level)s") % {"facility": facility, "level": level_of_care})
    return review


def medical_report_send(*, document, author: Organization, sent_by, channel: str = "fax") -> MedicalReport:
    """Send a CCS-authorized provider's report to the member's plan PCP, if a consent covers it.

    Refused (nothing written) when the report is not on a case, the author holds no approved
    authorization on that case, the member has no PCP on file, or the disclosure check refuses.
    """
    from cases.ccs_models import ServiceAuthorization
    from notices.models import RecipientKind
    from notices.services import notice_create, notice_send

    case = document.case
    if case is None:
        raise RuleViolation(_("Attach the report to a case first."), field="document", rule="medical_report.case")
    authorized = ServiceAuthorization.objects.filter(
        case=case, provider=author, decision__in=[ServiceAuthorization.Decision.APPROVED, ServiceAuthorization.Decision.MODIFIED]
    ).exists()
    if not authorized:
        raise RuleViolation(_("%(provider)s holds no approved authorization on this case.") % {"provider": author},
                            field="author", rule="medical_report.authorized_provider")
    pcp = case.member.primary_care_provider
    if pcp is None:
        raise RuleViolation(_("The member has no primary care provider on file."), field="pcp", rule="medical_report.pcp")
    with transaction.atomic():
        report = MedicalReport.objects.create(document=document, case=case, author=author, pcp=pcp)
        notice = notice_create(
            kind="pcp_medical_report", member=case.member, case=case, recipient_kind=RecipientKind.PROVIDER, recipient_org=pcp,
            channel=channel, created_by=sent_by, data_categories=(document.data_category,),
            context={"summary": _("Report from %(author)s: %(title)s") % {"author": author, "title": document.title}},
        )
        notice = notice_send(notice=notice, by=sent_by)
        report.notice, report.status = notice, MedicalReport.Status.SENT
        report.save(update_fields=["notice", "status"])
        timeline_record(case=case, kind="medical_report.sent", actor=sent_by,
                        summary=_("Medical report from %(author)s sent to the PCP %(pcp)s") % {"author": author, "pcp": pcp})
    return report

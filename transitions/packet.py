"""The referral packet of a care transition: gathered from the record, rendered as one PDF.

Seed 003 I.2.a.ii names the parts: member information, the transition-of-care tool,
the ANSA/CANS/ASAM assessments, the diagnosis, the risk assessment and recent
service notes. :func:`packet_parts` collects exactly those from the record (the
latest assessment of each kind, the notes of the last ``RECENT_NOTE_DAYS`` days);
:func:`packet_categories` says which consent categories they carry; and
:func:`render_packet_pdf` lays them out. Producing a packet (the disclosure
check, the accounting and the step) is ``transitions.services.transition_packet_produce``.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from cases.selectors import active_coverage

from .models import Assessment, CareTransition, ServiceNote

RECENT_NOTE_DAYS = 30
MAX_NOTES = 10
PACKET_ASSESSMENT_KINDS = (Assessment.Kind.ANSA, Assessment.Kind.CANS, Assessment.Kind.ASAM)

# Section headings, in the order of seed 003 I.2.a.ii. Tests and recipients rely on them.
H_MEMBER = "1. Member information"
H_TOOL = "2. Transition of care tool"
H_ASSESSMENTS = "3. Assessments (ANSA, CANS, ASAM)"
H_DIAGNOSIS = "4. Diagnosis"
H_RISK = "5. Risk assessment"
H_NOTES = "6. Recent service notes"
HEADINGS = (H_MEMBER, H_TOOL, H_ASSESSMENTS, H_DIAGNOSIS, H_RISK, H_NOTES)


@dataclass
class PacketParts:
    transition: CareTransition
    member_lines: list[tuple[str, str]]
    tool_lines: list[tuple[str, str]]
    assessments: list[Assessment]
    diagnoses: list[str]
    risk: Assessment | None
    notes: list[ServiceNote]
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    def record_refs(self) -> dict[str, list[int]]:
        return {"assessments": [a.pk for a in self.assessments] + ([self.risk.pk] if self.risk else []),
                "service_notes": [n.pk for n in self.notes]}


def _when(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def packet_parts(transition: CareTransition, *, now: datetime.datetime | None = None) -> PacketParts:
    """Exactly the parts of the record that go into the packet."""
    now = now or timezone.now()
    case, member = transition.case, transition.member
    coverage = active_coverage(member=member)
    manager = case.primary_case_manager
    member_lines = [
        ("Name", member.full_name), ("Date of birth", _when(member.date_of_birth)), ("Medi-Cal CIN", member.cin),
        ("Address", member.mailing_address.replace("\n", ", ") or "-"), ("Phone", member.phone or "-"),
        ("Preferred language", member.get_preferred_language_display()),
        ("Coverage", str(coverage.plan) if coverage and coverage.plan_id else ("Fee-for-service" if coverage else "-")),
        ("Primary care provider", str(member.primary_care_provider) if member.primary_care_provider_id else "-"),
    ]
    tool_lines = [
        ("Transition", transition.get_kind_display()),
        ("From", " ".join(filter(None, [transition.get_from_setting_display(), transition.from_asam_level])) or "-"),
        ("To", " ".join(filter(None, [transition.get_to_setting_display(), transition.to_asam_level])) or "-"),
        ("Recipient", " / ".join(filter(None, [str(transition.recipient_organization or ""), transition.recipient_contact,
                                               str(transition.receiving_county or "")])) or "-"),
        ("Reasons", transition.reasons or "-"),
        ("Referral date", _when(transition.event_at)),
        ("Initial appointment", _when(transition.appointment_at)),
        ("Primary case manager", f"{manager}{' - ' + manager.email if manager.email else ''}" if manager else "-"),
    ]
    latest: dict[str, Assessment] = {}
    for assessment in Assessment.objects.filter(member=member, kind__in=PACKET_ASSESSMENT_KINDS + (Assessment.Kind.RISK,),
                                                completed_at__lte=now).order_by("-completed_at", "-pk"):
        latest.setdefault(assessment.kind, assessment)
    notes = list(ServiceNote.objects.filter(case=case, written_at__gte=now - datetime.timedelta(days=RECENT_NOTE_DAYS),
                                            written_at__lte=now).select_related("author").order_by("-written_at", "-pk")[:MAX_NOTES])
    return PacketParts(
        transition=transition, member_lines=member_lines, tool_lines=tool_lines,
        assessments=[latest[k] for k in PACKET_ASSESSMENT_KINDS if k in latest],
        diagnoses=list(case.diagnoses or []), risk=latest.get(Assessment.Kind.RISK), notes=notes, generated_at=now,
    )


def packet_categories(parts: PacketParts) -> list[str]:
    """Consent categories of what the packet carries: a DMC-ODS record is SUD (42 CFR Part 2) throughout."""
    categories = {"general"}
    if parts.transition.case.program == "dmc_ods":
        categories.add("sud")
    for assessment in parts.assessments + ([parts.risk] if parts.risk else []):
        categories.add(assessment.data_category or "general")
    return sorted(categories)


class _PacketPDF(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(self._family, size=8)
        self.cell(0, 8, f"Confidential - page {self.page_no()}", align="C")


def _font_dir() -> Path:
    return Path(settings.BASE_DIR) / "notices" / "fonts"


def render_packet_pdf(parts: PacketParts, *, redisclosure_notice: str = "", disclosure_ref: str = "") -> bytes:
    pdf = _PacketPDF(format="Letter")
    regular, bold = _font_dir() / "DejaVuSans.ttf", _font_dir() / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        pdf._family = "DejaVu"
    else:
        pdf._family = "Helvetica"
    family = pdf._family
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str, size: int = 13) -> None:
        pdf.ln(2)
        pdf.set_font(family, "B", size)
        pdf.multi_cell(width, 7, text)

    def text(value: str, size: int = 10, style: str = "") -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(width, 5, value)

    def pairs(lines) -> None:
        for label, value in lines:
            text(f"{label}: {value}")

    heading("Referral packet - transition of care", 15)
    text(f"Generated {_when(parts.generated_at)}" + (f" - disclosure #{disclosure_ref}" if disclosure_ref else ""), 9)
    if redisclosure_notice:
        heading("Notice to the recipient (42 CFR Part 2)", 11)
        text(redisclosure_notice, 9, "B")
    heading(H_MEMBER)
    pairs(parts.member_lines)
    heading(H_TOOL)
    pairs(parts.tool_lines)
    heading(H_ASSESSMENTS)
    if not parts.assessments:
        text("None on file.")
    for assessment in parts.assessments:
        level = f" - recommended level {assessment.asam_level}" if assessment.asam_level else ""
        text(f"{assessment.get_kind_display()} ({_when(assessment.completed_at)}){level}", style="B")
        text(assessment.summary)
    heading(H_DIAGNOSIS)
    text(", ".join(parts.diagnoses) if parts.diagnoses else "None recorded.")
    heading(H_RISK)
    if parts.risk:
        text(f"{parts.risk.get_risk_level_display()} risk ({_when(parts.risk.completed_at)})", style="B")
        text(parts.risk.summary)
    else:
        text("None on file.")
    heading(H_NOTES)
    if not parts.notes:
        text(f"No service notes in the last {RECENT_NOTE_DAYS} days.")
    for note in parts.notes:
        author = note.author.get_full_name() if note.author_id else ""
        text(f"{_when(note.written_at)} - {note.get_kind_display()}" + (f" - {author}" if author else ""), style="B")
        text(note.text)
    return bytes(pdf.output())

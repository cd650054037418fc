"""The printable letter: letterhead, date, address block, subject, body, page numbers and the taglines page.

fpdf2 with DejaVu Sans (committed under ``notices/fonts`` with its license) so
Spanish, Vietnamese, Russian and Armenian text prints on any machine. The body is
the exact text stored on the notice; a form feed in it starts a new page.
"""
from __future__ import annotations

import logging
from pathlib import Path

from django.utils import formats, translation
from fpdf import FPDF

# fontTools logs every glyph subset at INFO; a letter is not news.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"

_LABELS = {
    "en": {"page": "Page {n} of {nb}", "re": "Re:", "member": "Member", "id": "Medi-Cal ID", "case": "Case"},
    "es": {"page": "Página {n} de {nb}", "re": "Asunto:", "member": "Miembro", "id": "Núm. de Medi-Cal", "case": "Caso"},
}


class _Letter(FPDF):
    def __init__(self, *, sender_name: str, sender_lines: list[str], labels: dict[str, str]):
        super().__init__(format="Letter", unit="mm")
        self.sender_name, self.sender_lines, self.labels = sender_name, sender_lines, labels
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(22, 18, 22)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font(FONT, "B", 13)
        self.cell(0, 7, self.sender_name, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 8.5)
        for line in self.sender_lines:
            self.cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(40, 70, 120)
        self.set_line_width(0.6)
        y = self.get_y() + 2
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_y(y + 5)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.labels["page"].format(n=self.page_no(), nb="{nb}"), align="C")
        self.set_text_color(0, 0, 0)


def _body_paragraphs(pdf: FPDF, text: str, *, size: float = 10) -> None:
    for line in text.split("\n"):
        if not line.strip():
            pdf.ln(size * 0.3)
            continue
        # Section headings in the templates are written in capitals: print them bold.
        is_heading = line.isupper() and len(line) < 90
        pdf.set_font(FONT, "B" if is_heading else "", size + 0.5 if is_heading else size)
        pdf.multi_cell(0, size * 0.52, line, new_x="LMARGIN", new_y="NEXT")


def render_pdf(notice) -> bytes:
    """The notice as a PDF letter, in the language it was written in."""
    sender = notice.sender_org
    sender_name = sender.name if sender else "carecoord"
    sender_lines = [part for part in ((sender.address if sender else ""),
                                      " · ".join(p for p in ((sender.phone if sender else ""), (f"Fax {sender.fax}" if sender and sender.fax else "")) if p))
                    if part]
    labels = _LABELS.get(notice.language, _LABELS["en"])
    pdf = _Letter(sender_name=sender_name, sender_lines=sender_lines, labels=labels)
    pdf.set_title(notice.subject)
    pdf.set_author(sender_name)
    pdf.add_page()

    with translation.override(notice.language):
        dated = formats.date_format(notice.notice_date, "DATE_FORMAT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 5, dated, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    # Address block placed for a standard #10 window envelope.
    for line in [notice.recipient_name, *notice.recipient_address.splitlines()]:
        if line.strip():
            pdf.cell(0, 5, line.strip(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "", 9)
    reference = f"{labels['member']}: {notice.member.full_name}   {labels['id']}: {notice.member.cin}"
    if notice.case_id and notice.case.case_number:
        reference += f"   {labels['case']}: {notice.case.case_number}"
    pdf.multi_cell(0, 4.5, reference, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 6, f"{labels['re']} {notice.subject}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    pages = notice.body.split("\f")
    for index, page in enumerate(pages):
        if index:
            pdf.add_page()
        # Pages after a break (the taglines) are set smaller so they stay on one sheet.
        _body_paragraphs(pdf, page.strip("\n"), size=10 if index == 0 else 8.5)
    return bytes(pdf.output())

"""The PDF letter: produced, readable back, with the member's name, the action and the taglines page."""
import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from notices.services import notice_create, notice_pdf

pytestmark = pytest.mark.django_db


def test_pdf_contains_member_name_action_and_taglines_page(spanish_case, manager_a, noa_context):
    # given a Spanish NOA for a member whose name has accents
    noa_context["action"] = "Su hijo será inscrito en Valley Health Plan."
    notice = notice_create(kind="noa_plan_choice", member=spanish_case.member, case=spanish_case, recipient_kind="member",
                           channel="mail", context=noa_context, action_date=timezone.localdate() + datetime.timedelta(days=14),
                           created_by=manager_a)
    # when the PDF is produced and read back
    reader = PdfReader(io.BytesIO(notice_pdf(notice=notice)))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    # then it is an official-looking letter: letterhead, member, action, page numbers, and a last page of taglines
    assert len(pages) >= 2
    assert spanish_case.organization.name in pages[0]
    assert "Sofía Martínez" in text.replace("\n", " ")
    assert "Su hijo será inscrito en Valley Health Plan." in text.replace("\n", " ")
    assert f"Página 1 de {len(pages)}" in pages[0]
    assert "ASISTENCIA EN SU IDIOMA" in pages[-1] and "Tiếng Việt" in pages[-1]

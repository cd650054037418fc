"""Uploading and streaming member documents: content checked by its bytes, size limited,
stored under an opaque name, served only to users who can see the case or member."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from carecoord.errors import RuleViolation

from .models import Document
from .timeline import timeline_record

# Magic numbers of the file types we accept; the browser's claimed type is not trusted.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}


def sniff_content_type(head: bytes) -> str | None:
    for content_type, signatures in SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    return None


def document_upload(*, uploaded_file, kind: str, title: str = "", member=None, case=None, uploaded_by=None,
                    data_category: str = "general", field: str = "file") -> Document:
    """Validate and store an upload. Refuses unknown types and oversize files, naming the rule."""
    limits = settings.CARECOORD
    if uploaded_file is None:
        raise RuleViolation("Choose a file to upload.", field=field, rule="upload.required")
    if uploaded_file.size > limits["UPLOAD_MAX_BYTES"]:
        raise RuleViolation(
            f"The file is {uploaded_file.size // 1024} KB; the limit is {limits['UPLOAD_MAX_BYTES'] // (1024 * 1024)} MB.",
            field=field, rule="upload.max_size",
        )
    data = uploaded_file.read()
    content_type = sniff_content_type(data[:16])
    if content_type is None or content_type not in limits["UPLOAD_CONTENT_TYPES"]:
        raise RuleViolation("Only PDF, PNG, JPEG or TIFF files can be attached.", field=field, rule="upload.content_type")
    if kind not in Document.Kind.values:
        raise RuleViolation(f"Unknown document kind {kind!r}.", field="kind", rule="upload.kind")
    if case is not None:
        member = member or case.member
    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        document = Document(member=member, case=case, kind=kind, title=title or uploaded_file.name[:200],
                            original_name=uploaded_file.name[:255], content_type=content_type, size=len(data),
                            sha256=sha256, uploaded_by=uploaded_by, data_category=data_category)
        document.file.save(sha256, ContentFile(data), save=False)
        document.save()
        if case is not None:
            timeline_record(case=case, kind="document.uploaded", actor=uploaded_by,
                            summary=f"Document attached: {document.title} ({document.get_kind_display()})",
                            data={"document": document.pk})
    return document

"""Validators for member identifiers and clinical codes."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CIN_PATTERN = re.compile(r"^\d{8}[A-Z]$")
ICD10_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
SSN_PATTERN = re.compile(r"^\d{3}-?\d{2}-?\d{4}$")


def validate_cin(value: str) -> None:
    """Medi-Cal Client Index Number: 8 digits followed by a letter (e.g. 91234567A)."""
    if not CIN_PATTERN.match(value or ""):
        raise ValidationError(
            _("Medi-Cal CIN must be 8 digits followed by a capital letter, e.g. 91234567A."), code="cin_format"
        )


def validate_icd10(value: str) -> None:
    if not ICD10_PATTERN.match(value or ""):
        raise ValidationError(
            _("%(code)s is not an ICD-10-CM code (letter, two characters, optional dot and up to 4 more)."),
            code="icd10_format",
            params={"code": value},
        )


def validate_icd10_list(values) -> None:
    if not isinstance(values, list):
        raise ValidationError(_("Diagnoses must be a list of ICD-10-CM codes."), code="icd10_list")
    for code in values:
        validate_icd10(code)


def validate_ssn(value: str) -> None:
    if value and not SSN_PATTERN.match(value):
        raise ValidationError(_("SSN must be 9 digits (###-##-####)."), code="ssn_format")


_NOT_DIGITS = re.compile(r"\D")


def mask_ssn(value: str) -> str:
    digits = _NOT_DIGITS.sub("", value or "")
    return f"***-**-{digits[-4:]}" if digits else ""

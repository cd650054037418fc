"""The API's one error shape: {"errors": [{"field", "rule", "message"}]}.

Domain rule violations become 400s naming the field and the rule; DRF's own
validation errors are flattened into the same shape.
"""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from carecoord.errors import RuleViolation


def _flatten(detail, field="__all__", nested=False):
    """Yield one {"field", "rule", "message"} per error; nested fields are dotted ("events.0")."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "detail"):
                name = field
            else:
                name = f"{field}.{key}" if nested else str(key)
            yield from _flatten(value, name, nested=True)
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, field, nested)
    else:
        code = getattr(detail, "code", "invalid") or "invalid"
        yield {"field": field, "rule": str(code), "message": str(detail)}


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        return Response({"errors": [exc.as_dict()]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.NotFound) and str(exc.detail) == CursorPagination.invalid_cursor_message:
        # DRF answers a mangled cursor with 404; it is bad input, so 400 naming the parameter.
        exc = exceptions.ValidationError({"cursor": [exceptions.ErrorDetail(
            "Invalid cursor: follow the next/previous links as given.", code="invalid_cursor")]})
    elif isinstance(exc, PermissionDenied):
        # Keep the reason a service or selector gave (who may do this); DRF's own text otherwise.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None:
        # An exception may name the input at fault itself (e.g. the If-Match header).
        response.data = {"errors": list(_flatten(response.data, getattr(exc, "error_field", "__all__")))}
    return response

"""Shared pieces of the OpenAPI schema: the error shape, standard error responses,
and the ETag/If-Match parameter. The docs page's "getting started" text is
``getting_started.md`` beside this module (SPECTACULAR_SETTINGS["DESCRIPTION"])."""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from carecoord.api.serializers import Serializer


class ErrorItemSerializer(Serializer):
    field = serializers.CharField(help_text='The input at fault: a body field, a header such as "If-Match", or "__all__".')
    rule = serializers.CharField(help_text="A stable code for the rule that refused the request, e.g. case.version_stale.")
    message = serializers.CharField(help_text="What is wrong, in words a person can act on.")


class ErrorSerializer(Serializer):
    """Every 4xx response of this API has this shape."""

    errors = ErrorItemSerializer(many=True)

    class Meta:
        ref_name = "Errors"


def _error_example(status: int, field: str, rule: str, message: str) -> OpenApiExample:
    return OpenApiExample(
        f"{status} {rule}", value={"errors": [{"field": field, "rule": rule, "message": message}]},
        response_only=True, status_codes=[str(status)],
    )


def error_response(status: int, description: str, field: str, rule: str, message: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description,
                           examples=[_error_example(status, field, rule, message)])


AUTH_ERRORS = {
    401: error_response(401, "No token or an invalid/revoked token.", "__all__", "authentication_failed",
                        "Invalid or revoked token."),
    403: error_response(403, "The token's user may not do this.", "__all__", "permission_denied",
                        "You do not have permission to perform this action."),
    429: error_response(429, "Too many requests for this token; see Retry-After.", "__all__", "throttled",
                        "Request was throttled. Expected available in 12 seconds."),
}
NOT_FOUND = {
    404: error_response(404, "No such record, or not visible to your plan (the API does not tell them apart).",
                        "__all__", "not_found", "Not found."),
}
VALIDATION = {
    400: error_response(400, "The input broke a rule; each error names the field and the rule.", "diagnoses",
                        "case.diagnoses", "Q99.9X is not a valid ICD-10-CM code."),
}
PRECONDITION = {
    412: error_response(412, "The record changed since you read it (stale If-Match). Nothing was written.", "If-Match",
                        "version_stale", "The case changed since you read it (version 3, now 4); read it again."),
    428: error_response(428, "If-Match is required on updates.", "If-Match", "if_match_required",
                        'Send the ETag you read in an If-Match header (If-Match: W/"<version>").'),
}
LIST_ERRORS = {**AUTH_ERRORS, **VALIDATION}
READ_ERRORS = {**AUTH_ERRORS, **NOT_FOUND}
WRITE_ERRORS = {**AUTH_ERRORS, **NOT_FOUND, **VALIDATION}

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description='The ETag from your last GET of this record, e.g. W/"3". Stale → 412; missing → 428.',
)


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token as an HTTP bearer scheme, so the docs page's Authorize takes the bare token."""

    target_class = "carecoord.api.authentication.HashedTokenAuthentication"
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "cc_<token>",
                "description": "An API token issued by an administrator: `Authorization: Bearer cc_…`."}


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: document the error answers every operation can give.

    The exception handler gives every endpoint the same error shape, and
    authentication and throttling apply to all of them, so each operation lists
    401/403/429, 400 when it takes input, and 404 when its path names a record.
    """
    errors_ref = {"$ref": "#/components/schemas/Errors"}
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Errors", {
        "type": "object", "required": ["errors"], "description": "Every 4xx response of this API has this shape.",
        "properties": {"errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "rule", "message"],
            "properties": {"field": {"type": "string"}, "rule": {"type": "string"}, "message": {"type": "string"}},
        }}},
    })
    descriptions = {"400": "The input broke a rule (see errors).", "401": "No token, or an invalid or revoked one.",
                    "403": "The token's user may not do this.", "404": "No such record, or not visible to you.",
                    "429": "Too many requests for this token; see Retry-After."}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            takes_input = bool(operation.get("requestBody")) or any(
                p.get("in") == "query" for p in operation.get("parameters", []))
            codes = ["401", "403", "429"] + (["400"] if takes_input else []) + (["404"] if "{" in path else [])
            for code in codes:
                operation["responses"].setdefault(code, {
                    "description": descriptions[code], "content": {"application/json": {"schema": errors_ref}},
                })
    return result

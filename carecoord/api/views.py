"""Base classes every API endpoint builds on.

- :class:`ScopedViewSetMixin`: the queryset comes from the caller's selector (never
  ``Model.objects``), so what is not visible is a 404; every response that shows
  member data is written to the access log (the members on the page for lists).
- :class:`VersionedUpdateMixin`: optimistic concurrency. A GET returns
  ``ETag: W/"<version>"``; an update must send it back in ``If-Match``. A missing
  header is a 428, a stale one a 412, in the API's error shape.

Adding an endpoint: subclass ``ScopedReadOnlyViewSet`` (or a DRF viewset with the
mixin first), implement ``get_visible_queryset(user)`` with your app's selector and
``members_of(objects)`` returning the members shown, build its serializers on
:mod:`carecoord.api.serializers` (DRF's, with faster responses), and document it with
``extend_schema``/``extend_schema_view`` using :mod:`carecoord.api.schema`'s
``ERROR_RESPONSES``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from carecoord.errors import RuleViolation


def record_access(request, *, members: Iterable, action: str, records: Iterable[tuple[str, object]] = (),
                  part2: bool | None = None) -> None:
    """Write the read to the access log (append-only, kept by the audit app). ``part2``: whether the
    records are 42 CFR Part 2 records, where the caller already knows; None looks it up (a query)."""
    from carecoord.audit.access import record_access as audit_record_access

    audit_record_access(request, members=list(members), action=action, records=list(records), part2=part2)


def model_label(obj: Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


class ScopedViewSetMixin:
    """Loads objects through a selector and logs every read of member data."""

    def get_visible_queryset(self, user) -> QuerySet:
        raise NotImplementedError

    def members_of(self, objects: list) -> Iterable:
        """The members whose data ``objects`` show (a list of model instances)."""
        raise NotImplementedError

    def get_queryset(self):
        return self.get_visible_queryset(self.request.user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objects = list(page if page is not None else queryset)
        self.record_read(objects, action="list")
        serializer = self.get_serializer(objects, many=True)
        data = serializer.data
        self.after_serialize(objects, serializer)
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.record_read([instance], action="view")
        serializer = self.get_serializer(instance)
        data = serializer.data
        self.after_serialize([instance], serializer)
        return Response(data, headers=self.response_headers(instance))

    def after_serialize(self, objects: list, serializer) -> None:
        """Called with what a response shows, e.g. to account for a disclosure it makes."""

    def part2_of(self, objects: list) -> bool | None:
        """Whether ``objects`` include 42 CFR Part 2 records, where the view can tell from what it
        loaded; None has the access log look it up (one query per request)."""
        return None

    def response_headers(self, instance) -> dict[str, str]:
        return {}

    def record_read(self, objects: list, *, action: str) -> None:
        members = [m for m in self.members_of(objects) if m is not None]
        if members or objects:
            record_access(self.request, members=members, action=action,
                          records=[(model_label(obj), obj.pk) for obj in objects], part2=self.part2_of(objects))


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    error_field = "If-Match"
    default_detail = 'Send the ETag you read in an If-Match header (If-Match: W/"<version>").'
    default_code = "if_match_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    error_field = "If-Match"
    default_detail = "The record changed since you read it; GET it again and retry with the new ETag."
    default_code = "version_stale"


_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def version_from_if_match(request) -> int:
    """The version an update was based on, from If-Match; 428 when absent, 412 when unreadable."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    match = _ETAG.match(header)
    if match is None:
        raise PreconditionFailed('If-Match must be an ETag this API returned, e.g. W/"3".')
    return int(match.group(1))


class VersionedUpdateMixin:
    """ETag on reads, If-Match on writes. ``perform_versioned_update`` calls your service.

    The service compares the version under ``select_for_update`` and raises a
    ``RuleViolation`` whose rule ends in ``version_stale`` when it moved; this mixin
    turns that into a 412.
    """

    version_field = "version"
    # Serializer of the response (the full record); the request uses get_serializer_class().
    read_serializer_class = None

    def response_headers(self, instance) -> dict[str, str]:
        return {"ETag": etag_for(getattr(instance, self.version_field))}

    def perform_versioned_update(self, instance, validated_data: dict, expected_version: int):
        raise NotImplementedError

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        expected_version = version_from_if_match(request)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            instance = self.perform_versioned_update(instance, serializer.validated_data, expected_version)
        except RuleViolation as exc:
            if exc.rule.endswith("version_stale"):
                raise PreconditionFailed(exc.message) from None
            raise
        self.record_read([instance], action="update")
        read_serializer = (self.read_serializer_class or self.get_serializer_class())(
            instance, context=self.get_serializer_context()
        )
        data = read_serializer.data
        self.after_serialize([instance], read_serializer)
        return Response(data, headers=self.response_headers(instance))


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def not_found(request, *args, **kwargs):
    """Any unknown URL under /api/ answers 404 in the API's error shape (not the site's HTML page)."""
    raise exceptions.NotFound()

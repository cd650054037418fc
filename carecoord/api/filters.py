"""Filters shared by the API's list endpoints."""
import datetime

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned into UTC before it reaches a query. Python accepts UTC offsets
    up to ±23:59 and PostgreSQL only up to ±15:59: "…T23:56:50+19:17" answered 500 (found by the
    API fuzz test)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("Enter a date-time between the years 1 and 9999 in UTC.", code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class NamedFiltersBackend(DjangoFilterBackend):
    """django-filter's backend, run only when the request names one of the view's filters. A filter
    left out changes nothing, but building and validating the filter form cost every list call about a
    millisecond (a tenth of reading one case) for nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or filterset_class.base_filters.keys().isdisjoint(request.query_params.keys()):
            return queryset
        return super().filter_queryset(request, queryset, view)

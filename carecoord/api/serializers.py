"""The serializer bases every API serializer builds on: DRF's, with responses built faster.

DRF turns an object into a response field by field: ``get_attribute``, a None check and the
field's ``to_representation``, through several calls each. For a 50-row list of twenty fields
that is a thousand rounds, about a quarter of the request. Yet for most fields the result is
the model's value unchanged: ``str()`` of a text, ``int()`` of an integer, a choice's own key,
a boolean, a list of texts; and dates and times are ISO 8601 text in the request's time zone.
:class:`DirectValuesMixin` writes those straight from the object's value when it has that exact
type (or is None) and sends every other field (nested serializers, method fields, a value of any
other type) to the field's own ``to_representation``, having read the value itself where DRF's
``get_attribute`` would only read it (a plain attribute, or the object for source "*"), so the
output is the same.
"""
from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Mapping
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# Field class -> the value type its to_representation returns unchanged. Exact classes only: a
# subclass may represent differently.
UNCHANGED_TYPES = {
    serializers.CharField: str,
    serializers.EmailField: str,
    serializers.URLField: str,
    serializers.SlugField: str,
    serializers.ChoiceField: str,
    serializers.IntegerField: int,
    serializers.BooleanField: bool,
}
BY_DRF = object()  # what a direct representation returns for a value it leaves to DRF


def _unchanged(kind: type) -> Callable:
    def represent(value):
        return value if type(value) is kind else BY_DRF
    return represent


def _iso_datetime(zone: datetime.tzinfo) -> Callable:
    """DateTimeField in ISO 8601: the aware time in the field's zone (the request's), "Z" for UTC."""
    def represent(value):
        if type(value) is not datetime.datetime or value.utcoffset() is None:
            return BY_DRF
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return BY_DRF  # DRF says so in its own words
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return represent


def _iso_date(value):
    return value.isoformat() if type(value) is datetime.date else BY_DRF


def _texts(value):
    """A ListField of CharFields: a list of texts is shown as those texts (DRF's ``str()`` of each)."""
    return list(value) if type(value) is list and all(type(item) is str for item in value) else BY_DRF


def _is_iso(field, default: str | None) -> bool:
    output_format = getattr(field, "format", default)
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


def direct_representation(field: serializers.Field) -> Callable | None:
    """How to represent ``field``'s values without DRF's calls, or None to leave the field to DRF."""
    if len(field.source_attrs) != 1:
        return None
    kind = UNCHANGED_TYPES.get(type(field))
    if kind is not None:
        if isinstance(field, serializers.ChoiceField) and not all(isinstance(key, str) for key in field.choices):
            return None  # DRF maps the text "1" to the choice 1: not unchanged
        return _unchanged(kind)
    if type(field) is serializers.DateTimeField and _is_iso(field, api_settings.DATETIME_FORMAT):
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        return _iso_datetime(zone) if zone is not None else None
    if type(field) is serializers.DateField and _is_iso(field, api_settings.DATE_FORMAT):
        return _iso_date
    if type(field) is serializers.ListField and type(field.child) is serializers.CharField:
        return _texts
    return None


def representation(field: serializers.Field) -> Callable:
    """``field.to_representation``, written directly where :func:`direct_representation` can (its time zone,
    for a time, looked up once), by DRF for any other value."""
    direct = direct_representation(field)
    if direct is None:
        return field.to_representation

    def represent(value):
        shown = direct(value)
        return field.to_representation(value) if shown is BY_DRF else shown
    return represent


# What a plan reads for a field whose source is "*": the object itself.
ITSELF = object()


def direct_source(field: serializers.Field):
    """The attribute ``field`` reads of an object (:data:`ITSELF` for source "*"), or None where DRF's own
    ``get_attribute`` must read it: a dotted source, or a field class that reads in its own way (a related
    field's primary key, a model field)."""
    if type(field).get_attribute is not serializers.Field.get_attribute or len(field.source_attrs) > 1:
        return None
    return field.source_attrs[0] if field.source_attrs else ITSELF


def _read(instance, attr):
    """``attr`` of ``instance`` as DRF's ``get_attribute`` reads it, or BY_DRF where DRF's path decides: a missing
    attribute (a default, None, or leaving the field out), or a callable one (DRF calls it)."""
    if attr is ITSELF:
        return instance
    try:
        value = getattr(instance, attr)
    except (AttributeError, ObjectDoesNotExist):
        return BY_DRF
    return BY_DRF if callable(value) else value


# (serializer class, the time zone its times are written in) -> per readable field: its name, the attribute it reads
# directly (or None: DRF's get_attribute), and its direct representation (or None: the field's to_representation).
_READ_PLANS: dict[tuple[type, object], list[tuple[str, object, Callable | None]]] = {}


class DirectValuesMixin:
    """Reads each field's attribute itself where DRF would just read it, and writes the fields whose DRF
    representation is the value itself, or its ISO 8601 text, straight from that value; every other field
    and value through DRF (see the module's docstring)."""

    @cached_property
    def _read_plan(self) -> list[tuple[str, serializers.Field | None, object, Callable | None]]:
        """Per readable field: its name; the bound field, where DRF represents its values (None for a direct
        representation); the attribute read directly (None: DRF's ``get_attribute``); the direct representation.
        Which is which depends on the class and the request's time zone alone, so that is worked out once for
        each; a serializer then builds only the fields DRF represents (nested serializers, method fields,
        lists), not all twenty: building them was a sixth of a one-case API request."""
        key = (type(self), timezone.get_current_timezone() if settings.USE_TZ else None)
        shape = _READ_PLANS.get(key)
        if shape is None:
            shape = [(field.field_name, direct_source(field), direct_representation(field)) for field in self._readable_fields]
            _READ_PLANS[key] = shape
        return [(name, None if represent else self._bound_field(name), attr, represent) for name, attr, represent in shape]

    def _bound_field(self, name: str) -> serializers.Field:
        """The field ``name`` of this serializer, as ``self.fields`` would hold it, without building the others."""
        if "fields" in self.__dict__ or type(self).get_fields not in _FIELDS_FROM_THE_CLASS:
            return self.fields[name]
        field = copy.deepcopy(self._field_prototype(name))
        field.bind(field_name=name, parent=self)
        return field

    def to_representation(self, instance):
        if isinstance(instance, Mapping):
            return super().to_representation(instance)
        data = {}
        for name, field, attr, represent in self._read_plan:
            if attr is not None:
                # DRF's get_attribute, without its tests of a mapping and of a callable through abc and inspect:
                # ten calls a field, a tenth of a case list.
                value = _read(instance, attr)
                if value is None:
                    data[name] = None
                    continue
                if value is not BY_DRF:
                    shown = field.to_representation(value) if represent is None else represent(value)
                    if shown is not BY_DRF:
                        data[name] = shown
                        continue
                if field is None:
                    field = self.fields[name]  # a value of another type (rare): DRF's own path
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            empty = (attribute.pk if isinstance(attribute, PKOnlyObject) else attribute) is None
            data[name] = None if empty else field.to_representation(attribute)
        return data


class Serializer(DirectValuesMixin, serializers.Serializer):
    """DRF's ``Serializer``, its responses built as :class:`DirectValuesMixin` says."""

    def _field_prototype(self, name: str) -> serializers.Field:
        return self._declared_fields[name]  # what DRF's get_fields deep-copies


class ModelSerializer(DirectValuesMixin, serializers.ModelSerializer):
    """DRF's ``ModelSerializer``, its responses built as :class:`DirectValuesMixin` says, and its fields
    built from the model once per class rather than once per serializer."""

    def get_fields(self):
        # DRF reads the model's fields and builds each serializer field from them for every serializer
        # made, twice a request for a case (its nested member too): the same fields every time, since
        # they come from the class's Meta alone. They are built once and each serializer gets a deep
        # copy, made as DRF copies declared fields (a fresh field from the same arguments), so no
        # serializer shares a field, or what a field holds, with another.
        return copy.deepcopy(self._field_prototypes())

    def _field_prototypes(self) -> dict[str, serializers.Field]:
        cls = type(self)
        prototypes = cls.__dict__.get("_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._prototypes = prototypes
        return prototypes

    def _field_prototype(self, name: str) -> serializers.Field:
        return self._field_prototypes()[name]


# The get_fields whose fields come from the class alone, so that one field can be built without the rest.
_FIELDS_FROM_THE_CLASS = (Serializer.get_fields, ModelSerializer.get_fields)

"""Model instances built straight from the rows a query returns."""
from __future__ import annotations

import functools
from inspect import getattr_static

from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


class FromRow:
    """Model mixin: an instance read from the database is built from its row without ``Model.__init__``.

    ``__init__`` takes each value through the field's descriptor and sends ``pre_init`` and ``post_init``;
    for a row just read neither does anything (a fresh instance has nothing cached to clear, and no
    receiver listens), yet it was a tenth of a case list: fifty cases a page, each with its member,
    organization and case manager. ``from_db`` is Django's documented hook for building instances from
    rows. The values go into the instance's ``__dict__`` as ``__init__`` puts them there; a field the query
    deferred is left out, to be loaded on access as always. A model whose fields have other descriptors
    (a file's, say), or whose instances a signal receiver watches, is built by Django as before.

    Put it first among a model's bases (``class Case(FromRow, models.Model)``)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        if not _built_from_rows(cls) or _watched(cls):
            return super().from_db(db, field_names, values)
        instance = cls.__new__(cls)
        instance._state = state = ModelState()
        state.adding, state.db = False, db
        instance.__dict__.update(zip(field_names, values))
        return instance


def _watched(model) -> bool:
    """Whether a receiver of ``pre_init`` or ``post_init`` listens for ``model``'s instances. Asked for every
    row: most processes connect none at all, which the signals' own lists tell at once."""
    return bool(pre_init.receivers or post_init.receivers) and (pre_init.has_listeners(model) or post_init.has_listeners(model))


@functools.cache
def _built_from_rows(model) -> bool:
    """Whether every concrete field of ``model`` keeps its value as a plain attribute: its class attribute is
    Django's ``DeferredAttribute``, or a foreign key's, whose setter only also drops a cached related object (a
    new instance has none), so setting it and writing ``__dict__`` are the same. Other subclasses (a file's, an
    image's) do more when set."""
    return all(type(getattr_static(model, field.attname, None)) in _PLAIN_DESCRIPTORS
               for field in model._meta.concrete_fields)


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)
